"""What an SFTP session showed: where it stopped, why, and what it measured or touched."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Stage = Literal[
    "credenciales", "conexion", "llave-servidor", "autenticacion", "escritura", "borrado", "ok"
]


@dataclass(frozen=True)
class SessionFacts:
    """What the session showed: where, as whom, how authenticated, which host key."""

    host: str
    port: int
    username: str
    upload_dir: str
    methods: tuple[str, ...] = ()
    host_key_checked: bool = False
    host_key: str | None = None
    cipher: str | None = None

    def evidence(self) -> dict[str, object]:
        checked = (
            "verificada contra known_hosts"
            if self.host_key_checked
            else "no verificada (known_hosts no configurado)"
        )
        return {
            "servidor": f"{self.host}:{self.port}",
            "usuario": self.username,
            "carpeta_de_carga": self.upload_dir,
            "credenciales_ofrecidas": list(self.methods),
            "llave_del_servidor": checked,
            "huella_del_servidor": self.host_key,
            "cifrado": self.cipher,
        }


@dataclass(frozen=True)
class SftpOutcome:
    """Where a probe stopped (``stage``), why, and what it measured or touched."""

    stage: Stage
    reason: str
    facts: SessionFacts
    elapsed_s: float = 0.0
    bytes: int = 0
    transfer_s: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    error_detail: str | None = None  # the system's or server's own words, for the evidence

    @property
    def ok(self) -> bool:
        return self.stage == "ok"
