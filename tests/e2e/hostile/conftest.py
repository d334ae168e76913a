"""The hostile site, started once per test session, and the checks every reason must pass."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from prepcheck.reference.pki import LocalCA

from .server import FOLDER, HostileServer, prepare_site

# System text that must never reach a person: English library messages, Python reprs.
_FOREIGN = re.compile(
    r"Errno|errno|timed out|[Cc]onnection (refused|reset)|handshake operation|_ssl\.c|"
    r"Traceback|Exception|Error\b|the response|deadline|net::ERR|Timeout \d|exceeded|"
    r"peer closed|\bNone\b|\bnull\b|libcurl|Failed|Could not|Couldn't|unable to",
)


def assert_plain_spanish(text: str | None) -> None:
    """``text`` is a reason a person can read: present, no system text, no lone surrogates."""
    assert text, "a failure must say why"
    assert not _FOREIGN.search(text), f"system text in a reason: {text!r}"
    text.encode("utf-8")  # raises on a lone surrogate


@dataclass(frozen=True)
class Hostile:
    """The running hostile server and what it serves."""

    server: HostileServer
    package: Path
    ca: LocalCA

    def base(self, behaviour: str) -> str:
        return self.server.base_url(behaviour)

    def folder(self, behaviour: str) -> str:
        return f"{self.base(behaviour)}{FOLDER}/"

    def main_json(self, behaviour: str) -> str:
        return f"{self.folder(behaviour)}json/main.json"


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    workdir = tmp_path_factory.mktemp("hostil")
    package, root, ca = prepare_site(workdir)
    with HostileServer(root, ca, workdir) as server:
        yield Hostile(server, package, ca)
