"""Scheduled runs: a ``[[campaign.schedule]]`` entry as systemd units and crontab lines.

Contract (pure but for :func:`write_schedule`): :func:`moments` expands an entry into every
aware local moment it fires at (election time, ``utc_offset``), bounded by its days;
:func:`calendar_specs` writes those moments as systemd ``OnCalendar=`` values in UTC (exactly
those moments, no others: each value names its year and month); :func:`cron_lines` writes the
same moments as crontab lines in the local time of the machine that runs them (cron has no
year, so each line tests it); a moment an earlier entry with the same command line already
fires at is dropped, so two entries never start the same command at once. :func:`command_line`
is what the unit's ``ExecStart`` and the crontab line run.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import groupby
from pathlib import Path

from prepcheck.config.settings.campaign import ScheduleEntry

#: Exit codes of a run that ran fine but found failures (1) or unmeasured checks (3).
SUCCESS_EXIT = "1 3"
RUN_TIMEOUT_S = 4 * 3600 + 600  # the runner's own bound plus reporting
UNIT_PREFIX = "prepcheck-"
DayLine = Callable[[int, int, list[int], list[int], list[int]], str]


@dataclass(frozen=True)
class Job:
    """One entry ready to install: its command line and the local moments it fires at."""

    entry: ScheduleEntry
    argv: tuple[str, ...]
    moments: tuple[datetime, ...]

    @property
    def unit(self) -> str:
        return f"{UNIT_PREFIX}{self.entry.name}"


def days_of(entry: ScheduleEntry) -> list[date]:
    if entry.days:
        return sorted(set(entry.days))
    assert entry.first_day is not None and entry.last_day is not None  # the model's rule
    count = (entry.last_day - entry.first_day).days + 1
    return [entry.first_day + timedelta(days=i) for i in range(count)]


def times_of(entry: ScheduleEntry) -> list[time]:
    if entry.at:
        return sorted(set(entry.at))
    assert entry.every_minutes is not None
    first = entry.start_time.hour * 60 + entry.start_time.minute
    last = entry.end_time.hour * 60 + entry.end_time.minute
    return [
        time(m // 60, m % 60) for m in range(0, 1440, entry.every_minutes) if first <= m <= last
    ]


def moments(entry: ScheduleEntry, tz: tzinfo) -> list[datetime]:
    """Every local moment ``entry`` fires at, oldest first."""
    return [
        datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=tz)
        for day in days_of(entry)
        for at in times_of(entry)
    ]


def jobs(entries: Sequence[ScheduleEntry], tz: tzinfo, argv_of: CommandLine) -> list[Job]:
    """The entries as jobs, dropping moments an earlier entry with the same command fires at."""
    taken: set[tuple[tuple[str, ...], datetime]] = set()
    found = []
    for entry in entries:
        argv = tuple(argv_of(entry))
        kept = tuple(m for m in moments(entry, tz) if (argv, m) not in taken)
        taken.update((argv, m) for m in kept)
        found.append(Job(entry, argv, kept))
    return found


class CommandLine:
    """Builds the command an entry runs: ``prepcheck run|monitor --config … --out …``."""

    def __init__(self, prepcheck: Sequence[str], config: Path, out: Path) -> None:
        self.prepcheck = tuple(prepcheck)
        self.config = config
        self.out = out

    def __call__(self, entry: ScheduleEntry) -> list[str]:
        argv = [*self.prepcheck, entry.command, "--config", str(self.config)]
        argv += ["--out", str(self.out)]
        if entry.command == "run":
            argv.append("--quiet")
        else:
            argv += ["--for", str(entry.duration).replace(" ", "")]
        for name in entry.difusores:
            argv += ["--difusor", name]
        return argv


def command_line(
    prepcheck: Sequence[str], config: Path, out: Path, entry: ScheduleEntry
) -> list[str]:
    """What ``entry`` runs (see :class:`CommandLine`)."""
    return CommandLine(prepcheck, config, out)(entry)


def calendar_specs(local_moments: Iterable[datetime]) -> list[str]:
    """systemd ``OnCalendar=`` values (UTC) matching exactly ``local_moments``."""
    return _specs(
        [m.astimezone(UTC) for m in local_moments],
        day_line=lambda y, mo, days, hours, minutes: (
            f"{y:04d}-{mo:02d}-{_list(days, '..', 2)} "
            f"{_list(hours, '..', 2)}:{_list(minutes, '..', 2)}:00 UTC"
        ),
    )


def cron_lines(
    local_moments: Iterable[datetime], argv: Sequence[str], machine_tz: tzinfo | None = None
) -> list[str]:
    """crontab lines running ``argv`` at exactly ``local_moments`` in the machine's local time
    (``machine_tz``, default this machine's); each line checks the year first."""
    command = _cron_escape(shlex.join(argv))
    moments_here = [
        m.astimezone(machine_tz) if machine_tz else m.astimezone() for m in local_moments
    ]
    return _specs(
        moments_here,
        day_line=lambda y, mo, days, hours, minutes: (
            f"{_list(minutes, '-', 1)} {_list(hours, '-', 1)} {_list(days, '-', 1)} {mo} * "
            f'[ "$(date +\\%Y)" = "{y}" ] && {command}'
        ),
    )


def _specs(moments_: list[datetime], day_line: DayLine) -> list[str]:
    """One line per (year, month, set of times), the times written as hours × minutes when
    they form such a product, one line per time otherwise."""
    by_day: dict[date, set[tuple[int, int]]] = {}
    for moment in moments_:
        by_day.setdefault(moment.date(), set()).add((moment.hour, moment.minute))
    lines = []
    keyed = sorted(
        by_day.items(), key=lambda item: (item[0].year, item[0].month, sorted(item[1]), item[0])
    )
    for (year, month, _), group in groupby(
        keyed, key=lambda item: (item[0].year, item[0].month, sorted(item[1]))
    ):
        members = list(group)
        days = [day.day for day, _ in members]
        for hours, minutes in _products(members[0][1]):
            lines.append(day_line(year, month, days, hours, minutes))
    return lines


def _products(times: set[tuple[int, int]]) -> list[tuple[list[int], list[int]]]:
    hours = sorted({h for h, _ in times})
    minutes = sorted({m for _, m in times})
    if len(times) == len(hours) * len(minutes):
        return [(hours, minutes)]
    return [([h], [m]) for h, m in sorted(times)]


def _list(values: Iterable[int], dash: str, width: int) -> str:
    """``1,2,3,7`` as ``01..03,07`` (systemd, ``..``) or ``1-3,7`` (cron, ``-``)."""
    ordered = sorted(set(values))
    parts = []
    for _, run in groupby(enumerate(ordered), key=lambda pair: pair[1] - pair[0]):
        block = [value for _, value in run]
        first, last = f"{block[0]:0{width}d}", f"{block[-1]:0{width}d}"
        parts.append(first if len(block) == 1 else f"{first}{dash}{last}")
    return ",".join(parts)


def _cron_escape(text: str) -> str:
    return text.replace("%", "\\%")


def service_unit(job: Job, *, election: str, workdir: Path, environment_file: Path | None) -> str:
    """The ``.service`` of ``job``: a oneshot running its command line once."""
    entry = job.entry
    timeout = RUN_TIMEOUT_S if entry.command == "run" else _seconds(entry.duration) + 1800
    lines = [
        "[Unit]",
        f"Description=prepcheck {entry.command} ({entry.name}) — {_unit_text(election)}",
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        f"WorkingDirectory={_unit_text(str(workdir))}",
    ]
    if environment_file is not None:
        lines.append(f"EnvironmentFile=-{_unit_text(str(environment_file))}")
    lines += [
        f"ExecStart={_exec_line(job.argv)}",
        "# 1: a difusor fails; 3: checks not measured yet. The run itself went fine.",
        f"SuccessExitStatus={SUCCESS_EXIT}",
        f"TimeoutStartSec={int(timeout)}",
        "Nice=5",
        "",
    ]
    return "\n".join(lines)


def timer_unit(job: Job) -> str:
    """The ``.timer`` of ``job``: one ``OnCalendar=`` per line of :func:`calendar_specs`."""
    lines = [
        "[Unit]",
        f"Description=prepcheck {job.entry.command} ({job.entry.name}): calendario de la campaña",
        "",
        "[Timer]",
        *(f"OnCalendar={spec}" for spec in calendar_specs(job.moments)),
        "AccuracySec=1s",
        "# A run missed while the machine was off is not made up later: it would be stale.",
        "Persistent=false",
        f"Unit={job.unit}.service",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
    ]
    return "\n".join(lines)


def _seconds(duration: str | None) -> float:
    units = {"": 1, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
    text = (duration or "0").replace(" ", "")
    number = text.rstrip("smhdin")
    return float(number) * units[text[len(number) :]]


def _unit_text(text: str) -> str:
    """``text`` safe in a unit file: ``%`` is a specifier there, newlines end the setting."""
    return text.replace("%", "%%").replace("\n", " ")


def _exec_line(argv: Sequence[str]) -> str:
    """``argv`` in systemd's ExecStart syntax (double quotes, ``%%``, ``$$``)."""
    quoted = []
    for arg in argv:
        text = _unit_text(arg).replace("$", "$$")
        if not text or any(c in text for c in " \t\"'\\;"):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        quoted.append(text)
    return " ".join(quoted)
