"""What a checklist run tells the person watching it, in Spanish.

Contract: the runner calls ``started``, ``measured`` (once per record, as it appears),
``finished`` and ``stopped`` (interrupted or out of budget) for each difusor, from one thread.
On a terminal (``TerminalProgress``) each running difusor has a progress bar with its checks
done out of the total and the area being checked; elsewhere (CI, a log file: ``PlainProgress``)
each record is one plain line. Neither ever prints pytest's own output.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from prepcheck.catalogue import GROUP_TITLES, spec
from prepcheck.results import STATUS_LABELS, VERDICT_LABELS, Status, Verdict


class RunProgress(Protocol):
    def started(self, name: str, total: int) -> None: ...

    def measured(self, name: str, record: Mapping[str, Any], next_id: str | None) -> None: ...

    def finished(self, name: str, verdict: Verdict, report: str) -> None: ...

    def stopped(self, name: str, reason: str) -> None: ...

    def close(self) -> None: ...


def area_of(check_id: str | None) -> str:
    """The Spanish name of the area a check belongs to (``"—"`` when there is none)."""
    return GROUP_TITLES[spec(check_id).group] if check_id else "—"


class PlainProgress:
    """One line per event, for logs and CI."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.totals: dict[str, int] = {}
        self.done: dict[str, int] = {}

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def started(self, name: str, total: int) -> None:
        self.totals[name], self.done[name] = total, 0
        self._line(f"{name}: revisión iniciada ({total} verificaciones)")

    def measured(self, name: str, record: Mapping[str, Any], next_id: str | None) -> None:
        self.done[name] = self.done.get(name, 0) + 1
        label = STATUS_LABELS[Status(record["status"])]
        count = f"{self.done[name]}/{self.totals.get(name, '?')}"
        self._line(f"{name} [{count}] {record['id']}: {label} — {record['message']}")

    def finished(self, name: str, verdict: Verdict, report: str) -> None:
        self._line(f"{name}: {VERDICT_LABELS[verdict]} — informe: {report}")

    def stopped(self, name: str, reason: str) -> None:
        self._line(f"{name}: {reason}")

    def close(self) -> None:
        return


class TerminalProgress:
    """A live progress bar per running difusor (rich), with a line when each one ends."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self.bars = Progress(
            TextColumn("[bold]{task.fields[name]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[area]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self.tasks: dict[str, Any] = {}
        self.bars.start()

    def started(self, name: str, total: int) -> None:
        self.tasks[name] = self.bars.add_task("", total=total, name=name, area="arrancando")

    def measured(self, name: str, record: Mapping[str, Any], next_id: str | None) -> None:
        task = self.tasks.get(name)
        if task is not None:
            self.bars.update(task, advance=1, area=area_of(next_id))

    def finished(self, name: str, verdict: Verdict, report: str) -> None:
        self._end(name)
        self.console.print(f"{name}: [bold]{VERDICT_LABELS[verdict]}[/bold] — informe: {report}")

    def stopped(self, name: str, reason: str) -> None:
        self._end(name)
        self.console.print(f"{name}: {reason}")

    def _end(self, name: str) -> None:
        task = self.tasks.pop(name, None)
        if task is not None:
            self.bars.remove_task(task)

    def close(self) -> None:
        self.bars.stop()


class SilentProgress:
    """Nothing at all (``--quiet``)."""

    def started(self, name: str, total: int) -> None:
        return

    def measured(self, name: str, record: Mapping[str, Any], next_id: str | None) -> None:
        return

    def finished(self, name: str, verdict: Verdict, report: str) -> None:
        return

    def stopped(self, name: str, reason: str) -> None:
        return

    def close(self) -> None:
        return


def default_progress(quiet: bool = False) -> RunProgress:
    """Bars on a terminal, lines elsewhere, nothing when ``quiet``."""
    if quiet:
        return SilentProgress()
    return TerminalProgress() if sys.stdout.isatty() else PlainProgress()
