"""A minimal valid configuration, shared by the tests that need one file and no server."""

#: One difusor at an address nothing answers (port 9, discard): enough to load and validate.
MINIMAL_CONFIG = """
[election]
name = "Simulacro"
utc_offset = "-06:00"
window_start = 2026-11-29T19:00:00
window_end = 2026-12-05T23:59:00

[[difusor]]
name = "unam"
base_url = "https://127.0.0.1:9/"
"""
