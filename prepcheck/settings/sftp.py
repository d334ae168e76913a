"""``[difusor.sftp]``: the SFTP endpoint of a difusor and how its secrets are read.

Contract: at least one of ``password_env``/``key_file`` is given; secrets never live in the
file and are read from the named environment variable only when asked for, as ``SecretStr``;
an unset variable raises ``ConfigError``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, model_validator

from prepcheck.errors import ConfigError
from prepcheck.settings.base import Strict


class SftpSettings(Strict):
    """An SFTP endpoint; the password/passphrase is read from the named environment variable.

    ``rehearsal_uploads`` authorizes the ``ingest.*`` checks, which upload rehearsal packages
    that the difusor's procedure publishes (what its site serves changes until the next
    official corte); without it only ``sftp.*`` run.
    """

    host: str
    port: Annotated[int, Field(gt=0, lt=65536)] = 22
    username: str
    password_env: str | None = None
    key_file: Path | None = None
    key_passphrase_env: str | None = None
    known_hosts: Path | None = None
    upload_dir: str = "upload"
    publish_deadline_seconds: Annotated[int, Field(gt=0, le=3600)] = 120
    throughput_bytes: Annotated[int, Field(gt=0)] = 64 * 1024 * 1024
    #: ``sftp.throughput``'s threshold: the convocatoria's 40 MB/s (MB = 10^6 bytes).
    min_mb_per_s: Annotated[float, Field(gt=0)] = 40.0
    rehearsal_uploads: bool = False

    @model_validator(mode="after")
    def _some_credential(self) -> SftpSettings:
        if self.password_env is None and self.key_file is None:
            raise ValueError("give 'password_env' or 'key_file'")
        return self

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
        raise ConfigError(f"environment variable {name} is not set (needed for SFTP)")
    return SecretStr(value)
