"""Wires the prepcheck plugin in, so `pytest suites --prepcheck-config FILE` works from here."""

pytest_plugins = ("prepcheck.checklist.plugin",)
