"""``prepcheck schedule``: moments, OnCalendar values checked by systemd itself, the units
verified with ``systemd-analyze verify``, crontab lines, configuration errors."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from prepcheck.campaign.schedule import calendar_specs, cron_lines, moments
from prepcheck.cli import main
from prepcheck.config import load_config
from prepcheck.config.settings.campaign import ScheduleEntry
from prepcheck.errors import ConfigError

CENTRE = timezone(timedelta(hours=-6))
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_systemd = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None, reason="systemd-analyze no está instalado en esta máquina"
)
YEAR = datetime.now(UTC).year + 1  # in the future: systemd lists only elapses still to come

CONFIG = f"""
[election]
name = "Simulacro 2 % prueba"
utc_offset = "-06:00"
window_start = {YEAR}-06-06T19:00:00
window_end = {YEAR}-06-12T23:59:00

[[difusor]]
name = "ref"
base_url = "https://127.0.0.1:1/"

[campaign]
out = "tablero"

[[campaign.schedule]]
name = "diario"
first_day = {YEAR}-05-10
last_day = {YEAR}-06-02
at = ["09:00"]

[[campaign.schedule]]
name = "simulacros"
days = [{YEAR}-05-23, {YEAR}-05-30]
every_minutes = 60

[[campaign.schedule]]
name = "jornada"
command = "monitor"
days = [{YEAR}-06-06]
at = ["18:30"]
duration = "12h"
"""


def elapses(spec: str, count: int) -> list[datetime]:
    """The next ``count`` moments systemd itself computes for ``spec`` (UTC)."""
    assert SYSTEMD_ANALYZE is not None
    done = subprocess.run(
        [SYSTEMD_ANALYZE, "calendar", f"--iterations={count}", spec],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    found = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\S+ \S+) UTC", done.stdout)
    return [datetime.fromisoformat(f"{text}+00:00") for text in found]


def test_moments_of_daily_and_every_minutes_entries() -> None:
    daily = ScheduleEntry(
        name="d", first_day=date(YEAR, 5, 10), last_day=date(YEAR, 5, 12), at=[time(9, 0)]
    )
    assert [m.isoformat() for m in moments(daily, CENTRE)] == [
        f"{YEAR}-05-{day}T09:00:00-06:00" for day in (10, 11, 12)
    ]
    hourly = ScheduleEntry(
        name="h",
        days=[date(YEAR, 5, 23)],
        every_minutes=60,
        start_time=time(7, 0),
        end_time=time(22, 0),
    )
    found = moments(hourly, CENTRE)
    assert len(found) == 16 and found[0].hour == 7 and found[-1].hour == 22


@needs_systemd
def test_calendar_specs_fire_exactly_at_the_moments_even_across_utc_midnight() -> None:
    entry = ScheduleEntry(name="s", days=[date(YEAR, 5, 23), date(YEAR, 5, 30)], every_minutes=30)
    expected = [m.astimezone(UTC) for m in moments(entry, CENTRE)]
    found: list[datetime] = []
    for spec in calendar_specs(moments(entry, CENTRE)):
        found += elapses(spec, 200)
    assert sorted(found) == expected  # nothing missing, nothing extra
    assert len(expected) == 96


def test_cron_lines_cover_the_same_moments_and_check_the_year() -> None:
    entry = ScheduleEntry(
        name="d",
        first_day=date(YEAR, 5, 30),
        last_day=date(YEAR, 6, 2),
        at=[time(9, 0), time(21, 0)],
    )
    lines = cron_lines(moments(entry, CENTRE), ["/bin/prepcheck", "run", "--out", "a b"], UTC)
    guard = f'[ "$(date +\\%Y)" = "{YEAR}" ] && '
    assert lines[0] == f"0 3,15 31 5 * {guard}/bin/prepcheck run --out 'a b'"  # 21:00 -06 is 03 UTC
    fired = set()
    for line in lines:
        minute, hours, days, month, _ = line.split(" ", 4)
        assert f'[ "$(date +\\%Y)" = "{YEAR}" ] && ' in line
        for day in _expand(days):
            for hour in _expand(hours):
                fired.add(datetime(YEAR, int(month), day, hour, int(minute), tzinfo=UTC))
    assert fired == {m.astimezone(UTC) for m in moments(entry, CENTRE)}


def _expand(field: str) -> list[int]:
    values = []
    for part in field.split(","):
        first, _, last = part.partition("-")
        values += range(int(first), int(last or first) + 1)
    return values


def test_schedule_writes_units_that_systemd_accepts(tmp_path: Path, capsys) -> None:
    config = tmp_path / "prepcheck.toml"
    config.write_text(CONFIG, encoding="utf-8")
    assert main(["schedule", "--config", str(config)]) == 0
    printed = capsys.readouterr().out
    units = tmp_path / "tablero" / "programacion"
    assert "systemctl daemon-reload" in printed and "crontab" in printed
    names = sorted(p.name for p in units.iterdir())
    assert names == [
        "prepcheck-diario.service",
        "prepcheck-diario.timer",
        "prepcheck-jornada.service",
        "prepcheck-jornada.timer",
        "prepcheck-simulacros.service",
        "prepcheck-simulacros.timer",
        "prepcheck.crontab",
    ]
    service = (units / "prepcheck-diario.service").read_text()
    assert "Simulacro 2 %% prueba" in service  # % is a specifier in unit files
    exec_start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    assert f"run --config {config} --out {tmp_path / 'tablero'} --quiet" in exec_start
    monitor = (units / "prepcheck-jornada.service").read_text()
    assert "--for 12h" in monitor and "TimeoutStartSec=45000" in monitor
    # The daily 09:00 is not repeated on rehearsal days, where the hourly entry runs it.
    simulacros = (units / "prepcheck-simulacros.timer").read_text()
    assert "OnCalendar=" in simulacros


@needs_systemd
def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    assert SYSTEMD_ANALYZE is not None
    config = tmp_path / "prepcheck.toml"
    config.write_text(CONFIG, encoding="utf-8")
    assert main(["schedule", "--config", str(config)]) == 0
    units = tmp_path / "tablero" / "programacion"
    files = sorted(str(p) for p in units.iterdir() if p.suffix in (".service", ".timer"))
    assert len(files) == 6
    done = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", *files], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    # Every OnCalendar value parses and its first elapse is in the campaign's year.
    for timer in units.glob("*.timer"):
        for line in timer.read_text().splitlines():
            if line.startswith("OnCalendar="):
                assert elapses(line.removeprefix("OnCalendar="), 1)[0].year == YEAR


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('name = "x"\nat = ["09:00"]', "indique 'days' o ambos 'first_day' y 'last_day'"),
        (f'name = "x"\ndays = [{YEAR}-05-23]', "exactamente uno de 'at'"),
        (f'name = "x"\ndays = [{YEAR}-05-23]\nevery_minutes = 7', "debe dividir el día"),
        (f'name = "x"\ncommand = "monitor"\ndays = [{YEAR}-05-23]\nat = ["08:00"]', "'duration'"),
        (
            f'name = "x"\ncommand = "monitor"\ndays = [{YEAR}-05-23]\nat = ["08:00"]\n'
            'duration = "doce horas"',
            'se esperaba una duración como "14h", "90min", "30s" o "1d"; se encontró "doce horas"',
        ),
        (
            f'name = "x"\ndays = [{YEAR}-05-23]\nat = ["08:00"]\nsecret = 1',
            "clave `campaign.schedule[0].secret`: clave desconocida",
        ),
        (
            f'name = "x"\ndays = [{YEAR}-05-23]\nat = ["08:00"]\ndifusores = ["ref", "rf2"]',
            'clave `campaign.schedule[0].difusores[1]`: no hay un difusor llamado "rf2"; '
            "¿quiso decir «ref»? (definidos: ref)",
        ),
    ],
)
def test_schedule_errors_name_the_key(tmp_path: Path, entry: str, expected: str) -> None:
    config = tmp_path / "p.toml"
    head = CONFIG.split("[campaign]")[0]
    config.write_text(f"{head}[[campaign.schedule]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_config(config)
