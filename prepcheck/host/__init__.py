"""The difusor's self-test on its own host: ``host.*`` checks (disk, history, access log)."""
