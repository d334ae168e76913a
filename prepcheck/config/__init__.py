"""Configuration: one TOML file describes one election and its difusores.

Validation is strict (unknown keys are rejected) and every error names the file, the key and
what was expected. Secrets never live in the file: SFTP passwords and key passphrases are
named by environment variable and read only when needed.

This package's public surface: the models (``model``, ``settings/`` one module per area),
loading (``load``) and what a command needs beyond the file (``needs``).
"""

from prepcheck.config.load import load_config, parse_config
from prepcheck.config.model import Config, Difusor, Election, parse_utc_offset
from prepcheck.config.needs import Needs
from prepcheck.config.settings.election import DigestAlgorithm, MonitorSettings, PackageSource
from prepcheck.config.settings.host import HostSettings
from prepcheck.config.settings.load import CitizenWeights, LoadSettings
from prepcheck.config.settings.render import (
    DEFAULT_FIGURE_SELECTORS,
    DEFAULT_RENDER_PAGES,
    RenderSettings,
)
from prepcheck.config.settings.sftp import SftpSettings
from prepcheck.config.settings.transport import TransportSettings

__all__ = [
    "DEFAULT_FIGURE_SELECTORS",
    "DEFAULT_RENDER_PAGES",
    "CitizenWeights",
    "Config",
    "Difusor",
    "DigestAlgorithm",
    "Election",
    "HostSettings",
    "LoadSettings",
    "MonitorSettings",
    "Needs",
    "PackageSource",
    "RenderSettings",
    "SftpSettings",
    "TransportSettings",
    "load_config",
    "parse_config",
    "parse_utc_offset",
]
