"""The per-area settings models of the configuration file, one module per area.

Contract: every model is strict (unknown keys rejected) and frozen, built on
:class:`~prepcheck.config.base.Strict`; validation errors are ``ValueError`` messages that
:func:`prepcheck.config.load_config` turns into a ``ConfigError`` naming file and key.
Import them from :mod:`prepcheck.config`, which re-exports every class here.
"""
