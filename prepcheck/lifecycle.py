"""``Service``: the one context-manager shape of everything the harness starts and stops."""

from __future__ import annotations

from types import TracebackType
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
