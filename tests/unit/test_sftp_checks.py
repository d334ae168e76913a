"""sftp.* and ingest.* evaluators (pure), the rehearsal packages and the reject window."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from prepcheck.checks.ingest import evaluate_corrupt_rejected, evaluate_valid_published
from prepcheck.checks.sftp import (
    NOT_AUTHORIZED,
    NOT_CONFIGURED,
    evaluate_reachable,
    evaluate_throughput,
    megabytes_per_second,
    not_authorized,
    not_configured,
)
from prepcheck.demo.simulacro import CENTRE_TIME
from prepcheck.probes.rehearsal import reject_window
from prepcheck.results import Status
from prepcheck.sample.rehearsal import (
    RehearsalNotPossible,
    rehearsal_cortes,
)
from prepcheck.snapshots.files import FileOutcome
from prepcheck.snapshots.rehearsal import CorteWatch, Rehearsal
from prepcheck.snapshots.sftp import SessionFacts, SftpOutcome

FACTS = SessionFacts("127.0.0.1", 2222, "ople", "upload", ("llave",), True, "SHA256:abc", "aes")
CORTE = datetime(2021, 6, 6, 21, 16, tzinfo=CENTRE_TIME)
FIFTEEN = timedelta(minutes=15)


def session(stage, reason="motivo", **kwargs) -> SftpOutcome:
    return SftpOutcome(stage, reason, FACTS, **kwargs)


@pytest.mark.parametrize(
    ("stage", "status", "resultado"),
    [
        ("ok", Status.PASS, "ok"),
        ("autenticacion", Status.FAIL, "login-refused"),
        ("llave-servidor", Status.FAIL, "host-key-mismatch"),
        ("escritura", Status.FAIL, "write-refused"),
        ("borrado", Status.FAIL, "remove-refused"),
        ("conexion", Status.ERROR, None),
        ("credenciales", Status.ERROR, None),
    ],
)
def test_reachable_outcomes(stage, status, resultado):
    result = evaluate_reachable(session(stage))
    assert result.status is status
    assert result.evidence.get("resultado") == resultado
    assert result.evidence["servidor"] == "127.0.0.1:2222"


def test_unverified_host_key_is_named_in_the_pass_message():
    facts = SessionFacts("h", 22, "u", "upload", ("llave",), host_key_checked=False)
    result = evaluate_reachable(SftpOutcome("ok", "", facts))
    assert result.status is Status.PASS and "no verificada" in result.message


def test_megabytes_are_decimal():
    assert megabytes_per_second(40_000_000, 1.0) == pytest.approx(40.0)
    assert megabytes_per_second(64 * 1024 * 1024, 1.0) == pytest.approx(67.1, abs=0.1)


@pytest.mark.parametrize(("seconds", "status"), [(1.0, Status.PASS), (1.7, Status.FAIL)])
def test_throughput_threshold(seconds, status):
    result = evaluate_throughput(session("ok", bytes=64_000_000, transfer_s=seconds))
    assert result.status is status
    assert result.evidence["minimo_mb_por_segundo"] == 40.0


def test_throughput_errors_when_nothing_was_measured():
    assert evaluate_throughput(session("autenticacion")).status is Status.ERROR
    assert evaluate_throughput(session("escritura")).status is Status.ERROR


def test_skips_name_their_reason():
    assert not_configured("sftp.reachable").message == NOT_CONFIGURED
    assert not_authorized("ingest.valid-package-published").message == NOT_AUTHORIZED
    assert not_configured("sftp.throughput").status is Status.SKIPPED


def test_rehearsal_cortes_stay_before_the_next_official_corte():
    cortes = rehearsal_cortes(datetime(2021, 6, 6, 21, 15, tzinfo=CENTRE_TIME), FIFTEEN)
    assert (cortes.valid.minute, cortes.corrupt.minute, cortes.next_official.minute) == (16, 17, 30)
    with pytest.raises(RehearsalNotPossible, match="siguiente corte oficial"):
        rehearsal_cortes(datetime(2021, 6, 6, 21, 28, tzinfo=CENTRE_TIME), FIFTEEN)


def test_reject_window_scales_with_latency_within_the_deadline():
    assert reject_window(3.0, 120) == 11.0
    assert reject_window(0.1, 120) == 5.2
    assert reject_window(100.0, 120) == 120.0


def watch(**kwargs) -> CorteWatch:
    return CorteWatch(CORTE, **kwargs)


def files(kind="identical") -> list[FileOutcome]:
    return [FileOutcome("prepver2021/json/main.json", kind, 200, 10, 10, None, "")]


def observed(w: CorteWatch, baseline=None) -> Rehearsal:
    return Rehearsal("observado", "", "x.zip", CORTE, watch=w, baseline=baseline or [])


def test_valid_published_outcomes():
    ok = evaluate_valid_published(observed(watch(appeared_s=2.0, verified_s=2.5)), 30)
    assert ok.status is Status.PASS and "2.5 s" in ok.message
    different = evaluate_valid_published(
        observed(watch(appeared_s=2.0, files=files("modified"))), 30
    )
    assert different.evidence["resultado"] == "published-different"
    never = evaluate_valid_published(observed(watch(waited_s=30.0)), 30)
    assert never.status is Status.FAIL and never.evidence["resultado"] == "not-published"
    for phase in ("sin-corte", "sin-ensayo", "carga"):
        assert evaluate_valid_published(Rehearsal(phase, "motivo"), 30).status is Status.ERROR


def test_corrupt_rejected_outcomes():
    published = evaluate_corrupt_rejected(observed(watch(appeared_s=1.0), files()))
    assert published.evidence["resultado"] == "corrupt-published"
    damaged = evaluate_corrupt_rejected(observed(watch(waited_s=11.0), files("missing")))
    assert damaged.evidence["resultado"] == "previous-damaged"
    ok = evaluate_corrupt_rejected(observed(watch(waited_s=11.0), files()))
    assert ok.status is Status.PASS
    inconclusive = evaluate_corrupt_rejected(Rehearsal("sin-valido", "no se publicó"))
    assert inconclusive.status is Status.ERROR and "No concluyente" in inconclusive.message
