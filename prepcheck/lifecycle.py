"""``Service``: the one context-manager shape of everything the harness starts and stops."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Self


class Service:
    """Something started and stopped by the harness; ``with`` starts it and always stops it.

    Subclasses implement ``start()`` and an idempotent ``stop()`` that leaves nothing running.
    """

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


#: The signals that stop the harness: Ctrl-C and ``kill``'s default.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


#: One event per ``stop_signals_handled`` block, innermost last: set when a stop signal reached
#: that block's handler.
_received: list[threading.Event] = []


@contextmanager
def stop_signals_handled(
    handler: Callable[[int, FrameType | None], None],
) -> Iterator[threading.Event]:
    """SIGINT and SIGTERM call ``handler`` inside the block; the previous handlers are back on
    exit. Off the main thread (where Python cannot install handlers) nothing changes.

    Yields an event set whenever a stop signal reached ``handler``. A handler that raises can
    have its exception lost: raised while C code (pydantic-core, for one) is calling back into
    Python, it is reported as "Exception ignored" and the program goes on. The event keeps the
    request, and every ``stop_requested`` block opened inside this one starts already set.
    """
    received = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def noted(signum: int, frame: FrameType | None) -> None:
        received.set()
        handler(signum, frame)

    previous = {signum: signal.signal(signum, noted) for signum in STOP_SIGNALS}
    _received.append(received)
    try:
        yield received
    finally:
        _received.remove(received)
        # Blocked while they are put back: a stop landing between two restores would raise
        # here and leave this block's handler installed. One that arrives meanwhile goes to
        # the caller's handler once unblocked.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            for signum, earlier in previous.items():
                signal.signal(signum, earlier)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


@contextmanager
def stop_requested() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM while inside the block; handlers restored on exit.

    Long-running commands (serve, watch, monitor, run) wait on it and stop cleanly, by pid.
    The event starts set when an enclosing ``stop_signals_handled`` block already received a
    stop (its handler's exception lost). Off the main thread (where Python cannot install
    handlers) the event is only set by the caller.
    """
    event = threading.Event()
    if any(earlier.is_set() for earlier in _received):
        event.set()

    def _set(_signum: int, _frame: FrameType | None) -> None:
        event.set()

    with stop_signals_handled(_set):
        yield event
