"""``[difusor.sftp]``: the SFTP endpoint of a difusor and how its secrets are read.

Contract: at least one of ``password_env``/``key_file`` is given, ``key_passphrase_env`` only
with ``key_file``; files are readable files. Secrets never live in the file: they are read
from the named environment variables only when asked for, as ``SecretStr``; an unset variable
raises ``ConfigError``. :meth:`SftpSettings.secret_variables` names the variables a session
will read, so a command can refuse to start without them.
"""

from __future__ import annotations

import os
import re
from typing import Annotated

from pydantic import (
    AfterValidator,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from prepcheck.config.base import Problem, Strict, shown
from prepcheck.config.paths import File
from prepcheck.errors import ConfigError


def _variable_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise Problem(
            "se esperaba el nombre de una variable de entorno (letras, dígitos y _), no el"
            f" secreto mismo; se encontró {len(value)} caracteres que no forman un nombre válido"
        )
    return value


def _host(value: str) -> str:
    if not value or any(char.isspace() or char in "/@" for char in value):
        raise Problem(
            f"se esperaba el nombre o la dirección IP del servidor SFTP; se encontró {shown(value)}"
        )
    return value


EnvName = Annotated[str, AfterValidator(_variable_name)]


class SftpSettings(Strict):
    """An SFTP endpoint; the password/passphrase is read from the named environment variable.

    ``rehearsal_uploads`` authorizes the ``ingest.*`` checks, which upload rehearsal packages
    that the difusor's procedure publishes (what its site serves changes until the next
    official corte); without it only ``sftp.*`` run.
    """

    host: Annotated[str, AfterValidator(_host)]
    port: Annotated[int, Field(gt=0, lt=65536)] = 22
    username: str
    password_env: EnvName | None = None
    key_file: File | None = None
    key_passphrase_env: EnvName | None = None
    known_hosts: File | None = None
    upload_dir: str = "upload"
    publish_deadline_seconds: Annotated[int, Field(gt=0, le=3600)] = 120
    throughput_bytes: Annotated[int, Field(gt=0)] = 64 * 1024 * 1024
    #: ``sftp.throughput``'s threshold: the convocatoria's 40 MB/s (MB = 10^6 bytes).
    min_mb_per_s: Annotated[float, Field(gt=0)] = 40.0
    rehearsal_uploads: bool = False

    @field_validator("key_passphrase_env")
    @classmethod
    def _passphrase_needs_key(cls, value: str, info: ValidationInfo) -> str:
        if "key_file" in info.data and info.data["key_file"] is None:
            raise Problem("`key_passphrase_env` solo tiene sentido junto con `key_file`")
        return value

    @model_validator(mode="after")
    def _some_credential(self) -> SftpSettings:
        if self.password_env is None and self.key_file is None:
            raise Problem("falta la credencial: indique `password_env` o `key_file` (o ambas)")
        return self

    def secret_variables(self) -> dict[str, str]:
        """Key → environment variable of every secret a session will read."""
        named = {"password_env": self.password_env, "key_passphrase_env": self.key_passphrase_env}
        return {key: name for key, name in named.items() if name is not None}

    def password(self) -> SecretStr | None:
        """The password from the environment, wrapped so it never prints."""
        return _secret_from_env(self.password_env)

    def key_passphrase(self) -> SecretStr | None:
        return _secret_from_env(self.key_passphrase_env)


def _secret_from_env(name: str | None) -> SecretStr | None:
    if name is None:
        return None
    value = os.environ.get(name)
    if value is None:
        raise ConfigError(f"la variable de entorno {name} no está definida (la necesita SFTP)")
    return SecretStr(value)
