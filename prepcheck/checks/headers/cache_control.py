"""A Cache-Control parser (RFC 9111 §5.2) and the convocatoria's main.json policy.

Grammar: ``#cache-directive``; ``cache-directive = token [ "=" ( token / quoted-string ) ]``.
Names are case-insensitive; repeated header fields are one list (joined with commas before
parsing). Quoted values may hold commas and escaped quotes.
"""

from __future__ import annotations

from dataclasses import dataclass

REQUIRED_DIRECTIVES = ("no-cache", "no-store", "must-revalidate")
# Directives that permit some cache to store or reuse the response: contradict the rule.
_ALLOWING_ALWAYS = ("public", "immutable")
_ALLOWING_WHEN_POSITIVE = ("max-age", "s-maxage", "stale-while-revalidate", "stale-if-error")


@dataclass(frozen=True)
class Directive:
    name: str
    value: str | None


@dataclass(frozen=True)
class CacheControl:
    """A parsed Cache-Control field. ``malformed`` lists the fragments that did not parse."""

    directives: tuple[Directive, ...]
    malformed: tuple[str, ...] = ()

    def has(self, name: str) -> bool:
        return any(d.name == name for d in self.directives)

    def value(self, name: str) -> str | None:
        return next((d.value for d in self.directives if d.name == name), None)

    def names(self) -> list[str]:
        return [d.name for d in self.directives]


def parse(field_value: str | None) -> CacheControl:
    """Parse a (possibly comma-joined) Cache-Control value. ``None`` gives an empty result."""
    if not field_value:
        return CacheControl(())
    directives: list[Directive] = []
    malformed: list[str] = []
    for fragment in _split_top_level(field_value):
        item = fragment.strip()
        if not item:
            continue
        parsed = _parse_directive(item)
        if parsed is None:
            malformed.append(item)
        else:
            directives.append(parsed)
    return CacheControl(tuple(directives), tuple(malformed))


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside quoted strings."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


_TOKEN_CHARS = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _is_token(text: str) -> bool:
    return bool(text) and all(c in _TOKEN_CHARS for c in text)


def _parse_directive(item: str) -> Directive | None:
    name, sep, raw_value = item.partition("=")
    name = name.strip().lower()
    if not _is_token(name):
        return None
    if not sep:
        return Directive(name, None)
    raw_value = raw_value.strip()
    if raw_value.startswith('"'):
        if len(raw_value) < 2 or not raw_value.endswith('"'):
            return None
        return Directive(name, _unquote(raw_value[1:-1]))
    return Directive(name, raw_value) if _is_token(raw_value) else None


def _unquote(text: str) -> str:
    out: list[str] = []
    escaped = False
    for char in text:
        if char == "\\" and not escaped:
            escaped = True
            continue
        out.append(char)
        escaped = False
    return "".join(out)


@dataclass(frozen=True)
class PolicyVerdict:
    """The outcome of the main.json policy: an outcome id, and what was missing or contradicting."""

    outcome: str
    missing: tuple[str, ...] = ()
    contradicting: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.outcome == "cache-control-ok"


def evaluate_main_json_policy(field_value: str | None) -> PolicyVerdict:
    """Judge a main.json Cache-Control against the convocatoria's rule.

    Outcomes: ``cache-control-missing`` (no header), ``cache-control-malformed`` (unparseable
    fragments), ``cache-control-directives-missing`` (one of no-cache/no-store/must-revalidate
    absent), ``cache-control-contradiction`` (also allows caching: public, immutable, positive
    max-age, s-maxage, stale-*), ``cache-control-ok``.
    """
    if field_value is None:
        return PolicyVerdict("cache-control-missing", missing=REQUIRED_DIRECTIVES)
    parsed = parse(field_value)
    if parsed.malformed:
        return PolicyVerdict("cache-control-malformed", contradicting=parsed.malformed)
    missing = tuple(name for name in REQUIRED_DIRECTIVES if not _unqualified(parsed, name))
    contradicting = tuple(_allowing(parsed))
    if missing:
        return PolicyVerdict("cache-control-directives-missing", missing, contradicting)
    if contradicting:
        return PolicyVerdict("cache-control-contradiction", (), contradicting)
    return PolicyVerdict("cache-control-ok")


def _unqualified(parsed: CacheControl, name: str) -> bool:
    """Whether ``name`` appears without a field list: ``no-cache="Set-Cookie"`` only covers the
    named fields (RFC 9111 §5.2.2.4) and still lets a cache reuse the rest of the response."""
    return any(d.name == name and d.value is None for d in parsed.directives)


def _allowing(parsed: CacheControl) -> list[str]:
    found = [name for name in _ALLOWING_ALWAYS if parsed.has(name)]
    # Every occurrence counts: a repeated max-age may be read either way by a cache.
    for directive in parsed.directives:
        if directive.name in _ALLOWING_WHEN_POSITIVE and not _is_zero(directive.value):
            value = directive.value
            found.append(f"{directive.name}={value}" if value is not None else directive.name)
    return found


def _is_zero(value: str | None) -> bool:
    return value is not None and value.isdigit() and int(value) == 0
