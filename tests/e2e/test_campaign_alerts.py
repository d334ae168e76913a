"""Alerts: transitions (pure), the outbox across restarts, the webhook against local receivers
(200, 500, one that hangs), email over STARTTLS against aiosmtpd, couriers retrying with
backoff without ever blocking the caller."""

from __future__ import annotations

import email
import email.policy
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from campaign_receivers import Receiver, SmtpServer

from prepcheck.campaign.alerts.channels import SendError
from prepcheck.campaign.alerts.courier import Courier, backoff
from prepcheck.campaign.alerts.email import Email
from prepcheck.campaign.alerts.outbox import Outbox
from prepcheck.campaign.alerts.transitions import (
    CERTIFICATE,
    HEALTH,
    Tracked,
    Transition,
    event_of,
    step,
)
from prepcheck.campaign.alerts.webhook import Webhook
from prepcheck.config.settings.campaign import AlertSettings, EmailSettings, WebhookSettings

PAYLOAD = {
    "id": "abc123",
    "evento": "caido",
    "titulo": "UV: CAÍDO",
    "mensaje": "UV no responde desde las 21:15:03 (conexión fallida).",
    "difusor": "uv",
    "nombre": "UV",
    "eleccion": "Simulacro",
    "momento": "2027-06-06T21:15:03-06:00",
}


def wait_for(condition, timeout: float = 20.0) -> bool:
    """Poll ``condition`` every 50 ms for at most ``timeout`` seconds (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path)
    yield server
    server.close()


def test_step_confirms_and_names_events() -> None:
    tracked, transition = step(HEALTH, None, "caido", confirm=1)
    assert transition == Transition(HEALTH, "ok", "caido") and event_of(transition) == "caido"
    assert step(HEALTH, tracked, "caido", confirm=1) == (Tracked("caido", "caido", 0), None)
    tracked, transition = step(HEALTH, tracked, "ok", confirm=2)
    assert transition is None and tracked == Tracked("caido", "ok", 1)
    flapped, transition = step(HEALTH, tracked, "caido", confirm=2)  # flapping resets
    assert transition is None and flapped == Tracked("caido", "caido", 0)
    tracked, _ = step(HEALTH, flapped, "ok", confirm=2)
    tracked, transition = step(HEALTH, tracked, "ok", confirm=2)
    assert transition is not None and event_of(transition) == "recuperado"
    assert event_of(Transition(HEALTH, "ok", "atrasado")) == "atrasado"
    assert event_of(Transition(HEALTH, "caido", "atrasado")) == "atrasado"
    _, expiring = step(CERTIFICATE, None, "por-vencer", confirm=1)
    assert expiring is not None and event_of(expiring) == "certificado-por-vencer"
    assert event_of(Transition(CERTIFICATE, "por-vencer", "vigente")) is None  # silent


def payload_of(transition: Transition, event: str) -> dict:
    return {"evento": event, "difusor": "uv", "titulo": f"uv: {event}"}


def test_the_outbox_survives_a_restart_without_losing_or_repeating(tmp_path: Path) -> None:
    db = tmp_path / "historial.sqlite"
    first = Outbox(db)
    queued = first.observe(
        "uv", HEALTH, "caido", confirm=1, channels=["webhook", "correo"], payload_of=payload_of
    )
    assert queued is not None and queued["evento"] == "caido" and len(queued["id"]) == 32
    first.close()  # the monitor stops before anything was delivered
    second = Outbox(db)
    again = second.observe(
        "uv", HEALTH, "caido", confirm=1, channels=["webhook", "correo"], payload_of=payload_of
    )
    assert again is None  # already alerted: the state was kept
    due = second.due("webhook")
    assert [d.payload["id"] for d in due] == [queued["id"]]  # still pending: not lost
    second.sent(due[0])
    assert second.due("webhook") == [] and len(second.due("correo")) == 1
    assert (
        second.observe("uv", HEALTH, "ok", confirm=1, channels=["webhook"], payload_of=payload_of)[
            "evento"
        ]
        == "recuperado"
    )
    # No channel configured: the state is tracked, nothing is queued.
    assert (
        second.observe("otro", HEALTH, "caido", confirm=1, channels=[], payload_of=payload_of)
        is None
    )
    second.close()


def test_webhook_posts_json_with_idempotency_key_and_token(receiver, monkeypatch) -> None:
    monkeypatch.setenv("PREPCHECK_TEST_TOKEN", "t0k3n")
    Webhook(WebhookSettings(url=receiver.url, token_env="PREPCHECK_TEST_TOKEN")).send(PAYLOAD)
    assert receiver.received == [PAYLOAD]
    headers = {k.lower(): v for k, v in receiver.headers[0].items()}
    assert headers["idempotency-key"] == "abc123"
    assert headers["authorization"] == "Bearer t0k3n"
    assert headers["content-type"] == "application/json"
    monkeypatch.delenv("PREPCHECK_TEST_TOKEN")
    with pytest.raises(SendError, match="PREPCHECK_TEST_TOKEN no está definida"):
        Webhook(WebhookSettings(url=receiver.url, token_env="PREPCHECK_TEST_TOKEN")).send(PAYLOAD)


def test_webhook_500_and_hang_are_send_errors_within_the_bound(receiver) -> None:
    receiver.mode = "error"
    with pytest.raises(SendError, match="HTTP 500"):
        Webhook(WebhookSettings(url=receiver.url)).send(PAYLOAD)
    receiver.mode = "hang"
    started = time.monotonic()
    with pytest.raises(SendError, match=r"no respondió en 0\.5 s"):
        Webhook(WebhookSettings(url=receiver.url, timeout_seconds=0.5)).send(PAYLOAD)
    # Generous margin for a shared machine: far below the receiver's 30 s hang.
    assert time.monotonic() - started < 10


def email_settings(smtp: SmtpServer, **changes) -> EmailSettings:
    values = {
        "host": "127.0.0.1",
        "port": smtp.port,
        "sender": "prepcheck@ople.test",
        "recipients": ["guardia@ople.test", "tic@ople.test"],
        "username": SmtpServer.USER,
        "password_env": "PREPCHECK_TEST_SMTP",
        "ca_file": smtp.ca.cert_path,
        "timeout_seconds": 5.0,
    } | changes
    return EmailSettings(**values)


def test_email_is_sent_over_starttls_with_a_verified_certificate(smtp, monkeypatch) -> None:
    monkeypatch.setenv("PREPCHECK_TEST_SMTP", SmtpServer.PASSWORD)
    Email(email_settings(smtp)).send(PAYLOAD)
    assert len(smtp.messages) == 1 and smtp.mailbox.tls_seen == [True]
    message = email.message_from_bytes(smtp.messages[0], policy=email.policy.default)
    assert message["Subject"] == "[prepcheck] UV: CAÍDO"
    assert message["Message-ID"] == "<abc123@prepcheck.alertas>"
    assert message["To"] == "guardia@ople.test, tic@ople.test"
    body = message.get_content()
    assert "UV no responde desde las 21:15:03" in body


def test_email_refuses_a_wrong_password_an_untrusted_server_and_no_starttls(
    smtp, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PREPCHECK_TEST_SMTP", "otra")
    with pytest.raises(SendError, match="rechazó el usuario") as refused:
        Email(email_settings(smtp)).send(PAYLOAD)
    assert "otra" not in str(refused.value)  # never the password
    monkeypatch.setenv("PREPCHECK_TEST_SMTP", SmtpServer.PASSWORD)
    with pytest.raises(SendError, match="certificado del servidor no válido"):
        Email(email_settings(smtp, ca_file=None)).send(PAYLOAD)  # system store: not trusted
    plain = SmtpServer(tmp_path / "plain", starttls=False)
    try:
        with pytest.raises(SendError, match="no ofrece STARTTLS"):
            Email(email_settings(plain)).send(PAYLOAD)
        assert plain.messages == []
    finally:
        plain.close()


def test_backoff_doubles_up_to_its_cap() -> None:
    settings = AlertSettings(backoff_seconds=2, max_backoff_seconds=10)
    assert [backoff(settings, n) for n in (1, 2, 3, 4, 5)] == [2, 4, 8, 10, 10]


def test_couriers_retry_after_500_and_a_hanging_webhook_does_not_hold_email(
    tmp_path: Path, receiver, smtp, monkeypatch
) -> None:
    monkeypatch.setenv("PREPCHECK_TEST_SMTP", SmtpServer.PASSWORD)
    db = tmp_path / "historial.sqlite"
    settings = AlertSettings(
        backoff_seconds=0.2, max_backoff_seconds=0.5, max_attempts=50, flush_seconds=1
    )
    receiver.mode = "hang"
    hook = Webhook(WebhookSettings(url=receiver.url, timeout_seconds=20))
    couriers = [Courier(db, hook, settings), Courier(db, Email(email_settings(smtp)), settings)]
    outbox = Outbox(db)
    try:
        for courier in couriers:
            courier.start()
        observed = time.monotonic()
        outbox.observe(
            "uv",
            HEALTH,
            "caido",
            confirm=1,
            channels=["webhook", "correo"],
            payload_of=lambda t, e: dict(PAYLOAD, evento=e),
        )
        for courier in couriers:
            courier.wake()
        assert time.monotonic() - observed < 5  # recording never waits for a channel
        assert wait_for(lambda: len(smtp.messages) == 1)  # email went while the webhook hangs
        assert wait_for(lambda: receiver.attempts == 1) and receiver.received == []
        receiver.mode = "error"
        receiver.release.set()  # the hung request ends without an answer: a failed attempt
        assert wait_for(lambda: receiver.attempts >= 3)  # retried with backoff
        receiver.mode = "ok"
        assert wait_for(lambda: len(receiver.received) == 1)
        time.sleep(1.0)  # time for a (wrong) duplicate to arrive
        assert len(receiver.received) == 1 and len(smtp.messages) == 1
        states = {(d["canal"], d["estado"]) for d in outbox.deliveries()}
        assert states == {("webhook", "sent"), ("correo", "sent")}
    finally:
        for courier in couriers:
            courier.stop()
        outbox.close()


def test_a_delivery_fails_after_max_attempts_and_says_so(tmp_path: Path, receiver, capsys) -> None:
    receiver.mode = "error"
    db = tmp_path / "historial.sqlite"
    settings = AlertSettings(backoff_seconds=0.05, max_attempts=3, flush_seconds=0)
    courier = Courier(db, Webhook(WebhookSettings(url=receiver.url)), settings)
    outbox = Outbox(db)
    try:
        courier.start()
        outbox.observe(
            "uv",
            HEALTH,
            "caido",
            confirm=1,
            channels=["webhook"],
            payload_of=lambda t, e: dict(PAYLOAD, evento=e),
        )
        courier.wake()
        assert wait_for(lambda: outbox.deliveries()[0]["estado"] == "failed")
    finally:
        courier.stop()
        outbox.close()
    assert receiver.attempts == 3
    assert "NO entregada por webhook tras 3 intentos: el webhook respondió HTTP 500" in (
        capsys.readouterr().err
    )
