"""testssl.sh as an independent second opinion on the TLS checks (Debian's ``testssl``).

Contract: ``run_testssl`` runs ``testssl`` once against ``host:port`` (connecting to
``ip_address``, trusting ``ca_file`` in addition to its own stores), bounded by ``timeout_s``,
and returns its flat JSON findings (``{id: (severity, finding)}``); it never raises for a
failed or hung run (``TestsslRun.error`` says what happened). ``verdicts`` reduces the
findings to the facts prepcheck's tls.* checks decide on, in the shape of
``prepcheck.checks.tls.verdicts``, so the two scanners can be compared key by key.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from prepcheck.probes.bounded import run_bounded

TESTSSL = "testssl"
#: The sections the cross-check needs: protocols, server defaults (certificate), and the
#: vulnerabilities prepcheck judges (Heartbleed, CCS, renegotiation, CRIME, ROBOT).
CROSS_CHECK_SECTIONS = ("-p", "-S", "-H", "-I", "-R", "-C", "-BB")
#: The keys of ``verdicts`` each section decides (a key whose section did not run says nothing).
FACTS_BY_SECTION: dict[str, tuple[str, ...]] = {
    "-p": ("protocols",),
    "-S": ("trusted", "name_matches", "expired"),
    "-H": ("heartbleed",),
    "-I": ("ccs_injection",),
    "-R": ("insecure_renegotiation",),
    "-C": ("compression",),
    "-BB": ("robot",),
}
_PROTOCOL_IDS = {
    "SSLv2": "SSLv2",
    "SSLv3": "SSLv3",
    "TLS1": "TLSv1",
    "TLS1_1": "TLSv1.1",
    "TLS1_2": "TLSv1.2",
    "TLS1_3": "TLSv1.3",
}


@dataclass(frozen=True)
class TestsslRun:
    """One testssl.sh run: its findings by id, how long it took, and why it failed if it did."""

    findings: dict[str, tuple[str, str]] = field(default_factory=dict)
    elapsed_s: float = 0.0
    error: str | None = None


def available() -> bool:
    return shutil.which(TESTSSL) is not None


def command(
    host: str,
    port: int,
    json_file: Path,
    *,
    ip_address: str = "127.0.0.1",
    ca_file: Path | None = None,
    sections: Sequence[str] = CROSS_CHECK_SECTIONS,
) -> list[str]:
    """The testssl command line (no DNS lookups beyond the target: rehearsals run offline)."""
    argv = [TESTSSL, "--quiet", "--color", "0", "--warnings", "off", "--nodns", "none"]
    argv += ["--ip", ip_address, "--jsonfile", str(json_file)]
    if ca_file is not None:
        argv += ["--add-ca", str(ca_file)]
    return [*argv, *sections, f"{host}:{port}"]


def run_testssl(
    host: str,
    port: int,
    *,
    ip_address: str = "127.0.0.1",
    ca_file: Path | None = None,
    sections: Sequence[str] = CROSS_CHECK_SECTIONS,
    timeout_s: float = 300.0,
) -> TestsslRun:
    """Run testssl.sh once; see the module contract."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="prepcheck-testssl-") as tmp:
        json_file = Path(tmp) / "testssl.json"
        argv = command(
            host, port, json_file, ip_address=ip_address, ca_file=ca_file, sections=sections
        )
        try:
            _, stderr = run_bounded(argv, timeout_s)
        except subprocess.TimeoutExpired:
            reason = f"testssl.sh no terminó en {timeout_s:g} s"
            return TestsslRun(elapsed_s=time.monotonic() - started, error=reason)
        except OSError as exc:
            return TestsslRun(error=f"no se pudo ejecutar testssl.sh: {exc}")
        elapsed = time.monotonic() - started
        if not json_file.exists():
            detail = stderr[-300:]
            return TestsslRun(elapsed_s=elapsed, error=f"testssl.sh sin salida JSON: {detail}")
        return TestsslRun(parse_findings(json_file.read_text(encoding="utf-8")), elapsed)


def parse_findings(text: str) -> dict[str, tuple[str, str]]:
    """testssl's flat JSON (a list of {id, severity, finding}) as ``{id: (severity, finding)}``.

    The first finding of an id wins (later ones repeat it for other certificates).
    """
    findings: dict[str, tuple[str, str]] = {}
    for item in json.loads(text):
        findings.setdefault(item["id"], (item.get("severity", ""), item.get("finding", "")))
    return findings


def verdicts(findings: dict[str, tuple[str, str]]) -> dict[str, object]:
    """The facts the tls.* checks decide on, as testssl.sh sees them.

    ``protocols`` (offered, sorted), ``trusted``, ``name_matches``, ``expired``, and one
    boolean per vulnerability (True = vulnerable).
    """

    def finding(key: str) -> str:
        return findings.get(key, ("", ""))[1].lower()

    offered = sorted(
        name for key, name in _PROTOCOL_IDS.items() if finding(key).startswith("offered")
    )
    return {
        "protocols": offered,
        "trusted": finding("cert_chain_of_trust").startswith("passed"),
        "name_matches": finding("cert_trust").startswith("ok"),
        "expired": finding("cert_expirationStatus").startswith("expired"),
        "heartbleed": _vulnerable(finding("heartbleed")),
        "ccs_injection": _vulnerable(finding("CCS")),
        "robot": _vulnerable(finding("ROBOT")),
        "insecure_renegotiation": not finding("secure_renego").startswith("supported"),
        "compression": _vulnerable(finding("CRIME_TLS")),
    }


def decided_by(sections: Sequence[str]) -> tuple[str, ...]:
    """The ``verdicts`` keys a run of ``sections`` decides, in the sections' order."""
    return tuple(key for section in sections for key in FACTS_BY_SECTION[section])


def _vulnerable(text: str) -> bool:
    return text.startswith("vulnerable") or "potentially vulnerable" in text
