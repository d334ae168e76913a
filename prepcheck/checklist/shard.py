"""``--shard K/N``: a deterministic slice of the difusores, so several machines (a CI matrix)
can share one campaign and ``prepcheck merge`` can join their outputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Shard:
    """``K/N``: the K-th of N deterministic slices of the difusores (sorted by name)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise ValueError(f"se esperaba K/N (p. ej. 1/3), no {text!r}") from None
        if not 1 <= index <= count:
            raise ValueError(f"K debe estar entre 1 y N: {text!r}")
        return cls(index, count)

    def select(self, names: Sequence[str]) -> list[str]:
        return [n for i, n in enumerate(sorted(names)) if i % self.count == self.index - 1]
