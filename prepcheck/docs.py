"""Documentation generated from the catalogue (a test keeps the README table in sync)."""

from __future__ import annotations

from prepcheck.catalogue import CATALOGUE, GROUP_TITLES

CATALOGUE_BEGIN = "<!-- catalogue:begin -->"
CATALOGUE_END = "<!-- catalogue:end -->"


def catalogue_markdown() -> str:
    """The catalogue as a Markdown table: id, severity, clause, Spanish title, group."""
    lines = ["| id | severity | clause | título (es-MX) | grupo |", "|---|---|---|---|---|"]
    for check in CATALOGUE.values():
        severity = f"{check.severity}{' (when configured)' if check.conditional else ''}"
        lines.append(
            f"| `{check.id}` | {severity} | {check.clause} | {check.title} | "
            f"{GROUP_TITLES[check.group]} |"
        )
    return "\n".join(lines)
