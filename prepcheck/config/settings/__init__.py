"""The per-area settings models of the configuration file, one module per area.

Contract: every model is strict (unknown keys rejected, no coercion) and frozen, built on
:class:`~prepcheck.config.base.Strict`; validators raise
:class:`~prepcheck.config.base.Problem` with a Spanish message, which
:func:`prepcheck.config.load_config` turns into a ``ConfigError`` naming file, line and key.
Import them from :mod:`prepcheck.config`.
"""
