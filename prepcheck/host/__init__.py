"""The difusor's self-test on its own host: reading the disk, the history and the access log
(the ``host.*`` facts of ``prepcheck.snapshots.host``), judged by ``prepcheck.checks.host``."""
