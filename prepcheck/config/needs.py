"""What a command will use beyond the file itself, checked when it loads the configuration.

Contract: :class:`Needs` is declared by the caller of :func:`prepcheck.config.load_config`;
:func:`unmet` lists, as Spanish issues located at the key that names them, the environment
variables a checklist run would read for SFTP (``password_env``, ``key_passphrase_env``) that
are not set, for the difusores the command works on (all when none are named). Values of the
variables are never read here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from prepcheck.config.issues import Issue
from prepcheck.config.model import Config


@dataclass(frozen=True)
class Needs:
    """``sftp_secrets``: the command logs in over SFTP (a checklist run does);
    ``difusores``: the names it works on (each must exist; empty means every difusor)."""

    sftp_secrets: bool = False
    difusores: tuple[str, ...] = ()


def unmet(config: Config, needs: Needs) -> list[Issue]:
    """Issues for what ``needs`` asks and the environment lacks (see module contract)."""
    issues: list[Issue] = []
    if not needs.sftp_secrets:
        return issues
    for index, difusor in enumerate(config.difusor):
        if difusor.sftp is None or (needs.difusores and difusor.name not in needs.difusores):
            continue
        for key, variable in difusor.sftp.secret_variables().items():
            if variable not in os.environ:
                issues.append(
                    Issue(
                        ("difusor", index, "sftp", key),
                        f"la variable de entorno {variable} no está definida; la revisión SFTP"
                        f" la necesita (defínala antes de ejecutar: export {variable}=…)",
                    )
                )
    return issues
