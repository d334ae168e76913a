"""``Service``: the one context-manager shape of everything the harness starts and stops."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
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


@contextmanager
def stop_requested() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM while inside the block; handlers restored on exit.

    Long-running commands (serve, watch, monitor) wait on it and stop cleanly, by pid. Off the
    main thread (where Python cannot install handlers) the event is only set by the caller.
    """
    event = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield event
        return

    def _set(_signum: int, _frame: FrameType | None) -> None:
        event.set()

    previous = {signum: signal.signal(signum, _set) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield event
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
