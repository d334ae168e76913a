"""The harness's error tree. Every error names what is wrong and where (file, key, difusor, URL)."""

from __future__ import annotations


class HarnessError(Exception):
    """Base of every error the harness raises on purpose."""


class ConfigError(HarnessError):
    """The configuration file is missing, malformed or invalid; the message names file and key."""


class PackageError(HarnessError):
    """An official package is unreadable, unsafe or does not match its digest.

    ``str()`` is ``"<package> [<entry>]: <reason>"``; ``reason`` alone (Spanish, for the person
    reading it) is for callers that already name the package or the entry.
    """

    def __init__(self, message: str, *, package: str = "", entry: str = "") -> None:
        where = " ".join(part for part in (package, f"[{entry}]" if entry else "") if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.reason = message
        self.package = package
        self.entry = entry


class ProbeError(HarnessError):
    """A probe could not observe a difusor (unreachable, timeout, protocol error)."""

    def __init__(self, message: str, *, difusor: str = "", url: str = "") -> None:
        where = " ".join(part for part in (difusor, url) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.difusor = difusor
        self.url = url


class ServerError(HarnessError):
    """A server the harness starts itself (nginx, Apache, sshd) failed to start or stop."""


class SafetyError(HarnessError):
    """An action was refused because the configuration does not authorize it (e.g. load tests)."""


class ResultsFileError(HarnessError):
    """A file given as a results.json is missing, unreadable or not a valid results document."""


class UsageError(HarnessError):
    """A command-line argument, or a file it names, that cannot be used (the message names it,
    in Spanish; exit 2)."""
