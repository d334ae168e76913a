"""Cross-check: prepcheck's sslyze-based verdicts agree with testssl.sh's, on real servers.

On the good reference every fact both scanners decide is compared: the protocols offered,
certificate trust, name match, expiry and each vulnerability verdict. Each TLS variant changes
one of those dimensions of the reference, and testssl.sh runs the sections that decide it
(``SECTIONS``: the protocols for the protocol and cipher variants, the certificate for the
certificate variants, plus ROBOT where RSA key exchange comes back); the facts those sections
decide must agree. A testssl.sh run costs 6-17 CPU-seconds, most of it its own start-up and the
certificate section (it forks awk, sed and openssl about 1,800 times), so running every section
on every variant would only repeat the reference's answers at twice the cost. All six cases run
at once. Apache's TLS is compared with sslyze's expectations in test_e2e_tls_headers; here one
server kind is enough to compare the scanners.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from prepcheck.checks.tls import verdicts as sslyze_verdicts
from prepcheck.probes import testssl
from prepcheck.probes.tls import scan_tls
from prepcheck.reference.servers import ReferenceServer
from prepcheck.reference.variants import VARIANTS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not testssl.available(), reason="testssl.sh (Debian package) not installed"),
]

CASES = (
    ("nginx", "reference"),
    ("nginx", "tls-legacy"),
    ("nginx", "cert-expired"),
    ("nginx", "cert-wrong-host"),
    ("nginx", "cert-self-signed"),
    ("nginx", "weak-ciphers"),
)
CERTIFICATE = ("-S",)
#: testssl.sh's sections per variant: the ones that decide what the variant changes.
SECTIONS = {
    "reference": testssl.CROSS_CHECK_SECTIONS,
    "tls-legacy": ("-p",),
    "cert-expired": CERTIFICATE,
    "cert-wrong-host": CERTIFICATE,
    "cert-self-signed": CERTIFICATE,
    "weak-ciphers": ("-p", "-BB"),
}


def _both_verdicts(workdir: Path, kind: str, variant: str) -> tuple[dict, dict, float]:
    """sslyze's and testssl.sh's verdicts on the facts this variant's sections decide."""
    root = workdir / "root"
    root.mkdir(parents=True)
    (root / "index.html").write_text("<!DOCTYPE html><title>prepcheck</title>", encoding="utf-8")
    with ReferenceServer(root, workdir / "server", kind=kind, variant=VARIANTS[variant]) as server:  # type: ignore[arg-type]
        scan = scan_tls("localhost", server.https_port, ca_file=server.ca_file, timeout_s=60)
        assert scan.ok, scan.error
        ours = sslyze_verdicts(scan, custom_ca=True)
        sections = SECTIONS[variant]
        run = testssl.run_testssl(
            "localhost", server.https_port, ca_file=server.ca_file, sections=sections,
            timeout_s=240,
        )  # fmt: skip
        assert run.error is None, run.error
        theirs = testssl.verdicts(run.findings)
        keys = testssl.decided_by(sections)
        return {k: ours[k] for k in keys}, {k: theirs[k] for k in keys}, run.elapsed_s


@pytest.fixture(scope="module")
def agreement(tmp_path_factory):
    base = tmp_path_factory.mktemp("testssl")
    with ThreadPoolExecutor(max_workers=len(CASES)) as pool:
        futures = {
            f"{kind}-{variant}": pool.submit(
                _both_verdicts, base / f"{kind}-{variant}", kind, variant
            )
            for kind, variant in CASES
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize(("kind", "variant"), CASES)
def test_sslyze_and_testssl_agree(agreement, kind, variant):
    ours, theirs, _ = agreement[f"{kind}-{variant}"]
    assert ours == theirs


def test_the_reference_compares_every_fact(agreement):
    ours, theirs, _ = agreement["nginx-reference"]
    assert set(ours) == set(theirs) == set(testssl.verdicts({}))


def test_verdicts_differ_where_the_variants_differ(agreement):
    """The agreement is not vacuous: each variant's defect shows in both scanners."""
    reference = agreement["nginx-reference"][1]
    assert reference["protocols"] == ["TLSv1.2", "TLSv1.3"] and reference["trusted"]
    assert "TLSv1" in agreement["nginx-tls-legacy"][1]["protocols"]
    assert agreement["nginx-cert-expired"][1]["expired"]
    assert not agreement["nginx-cert-wrong-host"][1]["name_matches"]
    assert not agreement["nginx-cert-self-signed"][1]["trusted"]
    assert agreement["nginx-weak-ciphers"][1]["protocols"] == ["TLSv1.2"]
