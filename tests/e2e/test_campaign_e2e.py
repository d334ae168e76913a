"""The rehearsal campaign end to end, against real reference difusores on loopback:

- three scheduled checklist runs (the command of the generated systemd unit) with a defect
  introduced and then fixed: the history and the «changed since the last run» labels say
  «nuevo fallo», then «corregido»;
- the live board served by ``prepcheck monitor --serve`` watched in chromium while a difusor is
  stopped and started;
- no alert lost or duplicated across a monitor restart (webhook and email, real receivers).

Monitors run as subprocesses and are stopped by pid with SIGTERM, like systemd would.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from campaign_receivers import Receiver, SmtpServer
from playwright.sync_api import Error as PlaywrightError

from prepcheck.campaign import history
from prepcheck.campaign.changes import FIXED, NEW_FAILURE, change_label
from prepcheck.cli import main
from prepcheck.demo.simulacro import CENTRE_TIME, write_config
from prepcheck.probes.browser import BrowserSession
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.process import free_port, free_ports
from prepcheck.reference.variants import VARIANTS
from prepcheck.results import changes
from prepcheck.sample import BuiltPackage, build_package

pytestmark = pytest.mark.slow

CORTE = datetime(2021, 6, 6, 21, 15)
TAMPERED = "prepver2021/json/diputaciones/distrito_07.json"
PREPCHECK = str(Path(sys.executable).with_name("prepcheck"))


@pytest.fixture
def site(tmp_path: Path, package: BuiltPackage) -> Iterator[ReferenceDifusor]:
    # Fixed ports: a restarted server comes back at the same address.
    https_port, http_port = free_ports(2)
    found = ReferenceDifusor(tmp_path / "ref", https_port=https_port, http_port=http_port)
    found.publish(package.archive, package.digest_file)
    found.start()
    yield found
    found.stop()


def wait_for(condition: Callable[[], bool], timeout: float = 90.0) -> bool:
    """Poll ``condition`` every 100 ms for at most ``timeout`` seconds (generous: the suite
    runs its files in parallel on a shared machine, and a state that never comes still ends
    the test well before its own timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def config_with(path: Path, package: Path, site: ReferenceDifusor, campaign: str) -> Path:
    write_config(path, package, [("ref", site.base_url, site.ca_file)], render_pages=["#/"])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n" + campaign.strip() + "\n")
    return path


def flip_byte(site: ReferenceDifusor) -> None:
    path = site.published / "current" / TAMPERED
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_three_scheduled_runs_show_a_new_failure_then_its_fix(
    tmp_path: Path, package: BuiltPackage, site: ReferenceDifusor, capsys
) -> None:
    year = datetime.now().year + 1
    config = config_with(
        tmp_path / "prepcheck.toml",
        package.archive,
        site,
        f"""
[campaign]
out = "tablero"
[[campaign.schedule]]
name = "diario"
first_day = {year}-05-10
last_day = {year}-06-06
at = ["09:00"]
""",
    )
    assert main(["schedule", "--config", str(config)]) == 0
    capsys.readouterr()
    unit = (tmp_path / "tablero" / "programacion" / "prepcheck-diario.service").read_text()
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    argv = shlex.split(exec_start.removeprefix("ExecStart="))
    out, db = tmp_path / "tablero", tmp_path / "tablero" / "historial.sqlite"

    def scheduled_run() -> dict:
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert done.returncode in (1, 3), done.stderr  # SuccessExitStatus=1 3
        return json.loads((out / "ref" / "results.json").read_text(encoding="utf-8"))

    def label(document: dict, check_id: str) -> str | None:
        found = {c["id"]: change_label(c["before"], c["after"]) for c in changes(document)}
        return found.get(check_id)

    first = scheduled_run()
    check = "integrity.files-identical"
    assert {r["id"]: r["status"] for r in first["checks"]}[check] == "pass"
    board = (out / "index.html").stat().st_mtime_ns
    flip_byte(site)  # the defect
    second = scheduled_run()
    assert label(second, check) == NEW_FAILURE and second["verdict"] == "fail"
    since = history.failing_since(db, "ref")
    assert check in since
    assert {c.check_id: c.label for c in history.latest_changes(db, "ref")}[check] == NEW_FAILURE
    flip_byte(site)  # the fix: the same bit back
    third = scheduled_run()
    assert label(third, check) == FIXED
    assert check not in history.failing_since(db, "ref")
    assert {c.check_id: c.label for c in history.latest_changes(db, "ref")}[check] == FIXED
    assert (out / "index.html").stat().st_mtime_ns > board  # the same board, updated in place
    runs = history.runs(db, "ref")
    assert [r.command for r in runs] == ["run", "run", "run"]
    assert [r.verdict for r in runs] == [first["verdict"], "fail", third["verdict"]]
    assert main(["history", "--config", str(config), "--out", str(out)]) == 0
    trend = capsys.readouterr().out.splitlines()
    assert f"nuevo fallo: {check}" in trend[2] and f"corregido: {check}" in trend[3]


def start_monitor(config: Path, out: Path, *extra: str, env: dict[str, str] | None = None):
    command = [
        PREPCHECK,
        "monitor",
        "--config",
        str(config),
        "--out",
        str(out),
        "--for",
        "120s",
        "--every",
        "0.3",
        "--period-seconds",
        "1",
        *extra,
    ]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )


def stop_monitor(process: subprocess.Popen) -> str:
    """SIGTERM by pid, then the output; killed if it does not end in time (a failure)."""
    process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"el monitor no terminó tras SIGTERM:\n{output}")
    return output


def level_shown(page, url: str) -> str | None:
    """The ``data-nivel`` of the difusor's row on the page now (reloading itself)."""
    try:
        return page.locator("#difusor-ref").get_attribute("data-nivel", timeout=2000)
    except PlaywrightError:  # between two reloads
        return None


def test_live_board_in_chromium_follows_a_difusor_stopped_and_started(
    tmp_path: Path, package: BuiltPackage, site: ReferenceDifusor
) -> None:
    config = config_with(tmp_path / "prepcheck.toml", package.archive, site, "")
    port = free_port()
    monitor = start_monitor(config, tmp_path / "out", "--serve", f"127.0.0.1:{port}")
    url = f"http://127.0.0.1:{port}/"
    try:
        with BrowserSession() as browser, browser.page(390, 844) as (page, _log):
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            assert wait_for(lambda: _opened(page, url))
            assert wait_for(lambda: level_shown(page, url) == "ok"), _shown(page)
            text = page.inner_text("body")
            assert "En línea" in text and "Disponibilidad" in text and "100.000 %" in text
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390  # readable on a phone: no sideways scrolling
            site.stop()
            assert wait_for(lambda: level_shown(page, url) == "caido"), _shown(page)
            row = page.inner_text("#difusor-ref")
            assert "Caído" in row and ("min" in row or " s" in row or "alcanzada" in row)
            site.start()
            assert wait_for(lambda: level_shown(page, url) == "ok"), _shown(page)
            assert len(requests) >= 3  # it reloaded itself
            assert all(r.startswith(url) for r in requests)  # nothing external
    finally:
        output = stop_monitor(monitor)
    assert "Tablero en vivo servido (solo lectura) en " + url in output
    assert monitor.returncode in (0, 1, 3)


def _shown(page) -> str:
    """What the live board shows now (the failure message of a state that never came)."""
    try:
        return page.inner_text("body")[:1500]
    except PlaywrightError as exc:
        return f"(sin página: {exc})"


def _opened(page, url: str) -> bool:
    try:
        page.goto(url)
    except PlaywrightError:
        return False
    return True


def test_no_alert_is_lost_or_duplicated_across_a_monitor_restart(
    tmp_path: Path, package: BuiltPackage, site: ReferenceDifusor
) -> None:
    receiver = Receiver(mode="error")
    smtp = SmtpServer(tmp_path / "smtp")
    try:
        _restart_scenario(tmp_path, package, site, receiver, smtp)
    finally:
        receiver.close()
        smtp.close()


def _restart_scenario(
    tmp_path: Path,
    package: BuiltPackage,
    site: ReferenceDifusor,
    receiver: Receiver,
    smtp: SmtpServer,
) -> None:
    official = tmp_path / "oficial"  # this test moves the official corte: its own folder
    official.mkdir()
    for source in (package.archive, package.digest_file):
        shutil.copy2(source, official / source.name)
    config = config_with(
        tmp_path / "prepcheck.toml",
        official / package.archive.name,
        site,
        f"""
[campaign.alerts]
backoff_seconds = 0.2
max_backoff_seconds = 0.5
max_attempts = 100
flush_seconds = 0.5
[campaign.alerts.webhook]
url = "{receiver.url}"
timeout_seconds = 3
[campaign.alerts.email]
host = "127.0.0.1"
port = {smtp.port}
sender = "prepcheck@ople.test"
recipients = ["guardia@ople.test"]
username = "{SmtpServer.USER}"
password_env = "PREPCHECK_E2E_SMTP"
ca_file = "{smtp.ca.cert_path}"
""",
    )
    env = {"PREPCHECK_E2E_SMTP": SmtpServer.PASSWORD}
    out = tmp_path / "out"
    db = out / "historial.sqlite"

    def alerts() -> list[tuple[str, str, int]]:
        if not db.exists():
            return []
        with sqlite3.connect(db) as raw:
            rows = raw.execute(
                "SELECT a.event, d.state, d.attempts FROM alerts a JOIN deliveries d"
                " ON d.alert_id = a.id WHERE d.channel = 'webhook' ORDER BY a.id"
            )
            return list(rows)

    first = start_monitor(config, out, env=env)
    try:
        assert wait_for(lambda: (out / "en-vivo.json").exists())
        site.stop()
        assert wait_for(lambda: [a[0] for a in alerts()] == ["caido"])
        assert wait_for(lambda: receiver.attempts >= 2)  # the webhook answers 500: retried
    finally:
        stop_monitor(first)
    assert receiver.received == [] and alerts()[0][1] == "pending"  # kept for the next monitor
    assert wait_for(lambda: len(smtp.messages) == 1)  # email was not held back by the webhook

    receiver.mode = "ok"
    newer = build_package(CORTE + timedelta(minutes=30), official, utc_offset=CENTRE_TIME)
    second = start_monitor(config, out, env=env)
    try:
        assert wait_for(lambda: receiver.events() == [("ref", "caido")])
        site.start()  # back, but 2 periods behind the official corte
        assert wait_for(lambda: receiver.events()[-1:] == [("ref", "atrasado")])
        site.publish(newer.archive, newer.digest_file)
        assert wait_for(lambda: receiver.events()[-1:] == [("ref", "recuperado")])
        time.sleep(1.5)  # a few more rounds: nothing else may be sent
    finally:
        output = stop_monitor(second)
    assert receiver.events() == [("ref", "caido"), ("ref", "atrasado"), ("ref", "recuperado")]
    ids = [item["id"] for item in receiver.received]
    assert len(set(ids)) == 3
    assert [h["Idempotency-Key"] for h in receiver.headers] == ids
    assert len(smtp.messages) == 3
    subjects = [m.split(b"Subject: ", 1)[1].split(b"\n", 1)[0] for m in smtp.messages]
    assert all(b"[prepcheck]" in s for s in subjects)
    assert "ALERTA en cola" in output and "PREPCHECK_E2E_SMTP" not in output
    recovered = receiver.received[2]
    assert "de nuevo en línea y al día" in recovered["mensaje"]
    assert receiver.received[1]["detalle"]["atraso_periodos"] == 2


def test_a_certificate_expiring_inside_the_window_is_alerted_once(
    tmp_path: Path, package: BuiltPackage
) -> None:
    expiring = ReferenceDifusor(tmp_path / "vence", variant=VARIANTS["cert-expires-soon"])
    expiring.publish(package.archive, package.digest_file)
    receiver = Receiver()
    try:
        expiring.start()
        config = config_with(
            tmp_path / "prepcheck.toml",
            package.archive,
            expiring,
            f"""
[campaign.alerts]
certificate_check_minutes = 0.01
[campaign.alerts.webhook]
url = "{receiver.url}"
""",
        )

        def certificate_events() -> int:
            return receiver.events().count(("ref", "certificado-por-vencer"))

        monitor = start_monitor(config, tmp_path / "out")
        try:
            assert wait_for(lambda: certificate_events() == 1)
            time.sleep(2)  # the certificate is read again several times: no second alert
        finally:
            stop_monitor(monitor)
    finally:
        expiring.stop()
        receiver.close()
    assert certificate_events() == 1
    [alert] = [a for a in receiver.received if a["evento"] == "certificado-por-vencer"]
    assert "vence el" in alert["mensaje"] and "Renuévelo" in alert["mensaje"]
    assert datetime.fromisoformat(alert["detalle"]["vence"]) < datetime.now().astimezone() + (
        timedelta(days=4)
    )
