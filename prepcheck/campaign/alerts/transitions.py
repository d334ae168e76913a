"""From observed states to transitions (pure).

Contract: each difusor has tracked *aspects* (``salud``: ``ok``/``atrasado``/``caido``;
``certificado``: ``vigente``/``por-vencer``). :func:`step` takes the tracked state (None before
the first observation: the aspect's initial value is assumed, so a difusor already down when
monitoring starts is alerted) and the value observed this round; a value different from the
tracked one becomes a transition once observed ``confirm`` rounds in a row (a flapping value
resets the count). :func:`event_of` names the alert a transition sends, or None for a
transition that is tracked silently (a renewed certificate).
"""

from __future__ import annotations

from dataclasses import dataclass

HEALTH = "salud"
CERTIFICATE = "certificado"
INITIAL = {HEALTH: "ok", CERTIFICATE: "vigente"}

DOWN = "caido"
BEHIND = "atrasado"
RECOVERED = "recuperado"
EXPIRING = "certificado-por-vencer"


@dataclass(frozen=True)
class Tracked:
    """The value an aspect was last alerted at, and a different value being confirmed."""

    value: str
    candidate: str
    seen: int


@dataclass(frozen=True)
class Transition:
    aspect: str
    before: str
    after: str


def step(
    aspect: str, tracked: Tracked | None, observed: str, confirm: int
) -> tuple[Tracked, Transition | None]:
    """The new tracked state and the transition it completes, if any (see the contract)."""
    current = tracked or Tracked(INITIAL[aspect], INITIAL[aspect], 0)
    if observed == current.value:
        return Tracked(current.value, current.value, 0), None
    seen = current.seen + 1 if observed == current.candidate else 1
    if seen >= confirm:
        return Tracked(observed, observed, 0), Transition(aspect, current.value, observed)
    return Tracked(current.value, observed, seen), None


def event_of(transition: Transition) -> str | None:
    """The alert event of ``transition`` (see the contract)."""
    if transition.aspect == CERTIFICATE:
        return EXPIRING if transition.after == "por-vencer" else None
    if transition.after == "caido":
        return DOWN
    if transition.after == "atrasado":
        return BEHIND
    return RECOVERED
