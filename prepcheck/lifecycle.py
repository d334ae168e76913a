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


@contextmanager
def stop_signals_handled(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    """SIGINT and SIGTERM call ``handler`` inside the block; the previous handlers are back on
    exit. Off the main thread (where Python cannot install handlers) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, earlier in previous.items():
            signal.signal(signum, earlier)


@contextmanager
def stop_requested() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM while inside the block; handlers restored on exit.

    Long-running commands (serve, watch, monitor) wait on it and stop cleanly, by pid. Off the
    main thread (where Python cannot install handlers) the event is only set by the caller.
    """
    event = threading.Event()

    def _set(_signum: int, _frame: FrameType | None) -> None:
        event.set()

    with stop_signals_handled(_set):
        yield event
