"""SFTP probes (asyncssh): log in with the issued credentials and act in the upload folder.

Every probe opens its own session, is bounded as a whole by ``timeout_s`` (connection and each
step by ``step_timeout_s``), and never raises for network or server trouble: it returns an
``SftpOutcome`` saying at which ``stage`` it stopped and why, in Spanish. Secrets (password,
key passphrase) are passed to asyncssh only; every reason is redacted of them before it is
returned, and nothing here logs or prints them.

Host keys: with ``known_hosts`` configured the server's key must match it; without it the key is
not verified and the outcome says so (``host_key_checked`` False) with the key's fingerprint.
Nothing is read from the user's ``~/.ssh`` (config, keys, agent, known_hosts).

Stages: ``credenciales`` (a secret or the key file could not be read), ``conexion`` (refused,
timeout, protocol), ``llave-servidor`` (host key not in known_hosts), ``autenticacion``
(credentials refused), ``escritura``, ``borrado``, ``ok``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

from prepcheck.config import SftpSettings
from prepcheck.errors import ConfigError
from prepcheck.probes.failures import describe
from prepcheck.redaction import from_environment
from prepcheck.snapshots.sftp import SessionFacts, SftpOutcome, Stage
from prepcheck.snapshots.text import clean_text

T = TypeVar("T")

# Fastest first on loopback (measured: aes128-gcm), yet anything the server offers is accepted.
_CIPHERS = (
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
)
_CHUNK = 8 * 1024 * 1024
PROBE_PREFIX = ".prepcheck-"


class _StepFailed(Exception):
    """A step inside an open session failed (stage and Spanish reason)."""

    def __init__(self, stage: Stage, reason: str, detail: str | None = None) -> None:
        super().__init__(reason)
        self.stage = stage
        self.reason = reason
        self.detail = detail


Action = Callable[[asyncssh.SFTPClient, SessionFacts], Awaitable[SftpOutcome]]


# -- public probes --------------------------------------------------------------------------------


def probe_write(settings: SftpSettings, *, timeout_s: float = 30.0) -> SftpOutcome:
    """Log in, write a small probe file in the upload folder, read its size back, remove it."""

    async def action(sftp: asyncssh.SFTPClient, facts: SessionFacts) -> SftpOutcome:
        name = _remote(settings, f"{PROBE_PREFIX}sonda-{secrets.token_hex(4)}.part")
        payload = b"prepcheck: prueba de escritura SFTP\n"
        await _step("escritura", _write(sftp, name, payload, len(payload)))
        size = (await _step("escritura", sftp.stat(name))).size
        if size != len(payload):
            raise _StepFailed("escritura", f"se escribieron {len(payload)} bytes y hay {size}")
        await _step("borrado", sftp.remove(name))
        return SftpOutcome("ok", f"escritura y borrado en {settings.upload_dir}", facts, bytes=size)

    return run_session(settings, action, timeout_s=timeout_s)


def measure_upload(settings: SftpSettings, nbytes: int, *, timeout_s: float = 300.0) -> SftpOutcome:
    """Upload ``nbytes`` of random data to a probe file, timing open→close; then remove it.

    ``transfer_s`` is the measured time; the file is removed even when the upload fails.
    """

    async def action(sftp: asyncssh.SFTPClient, facts: SessionFacts) -> SftpOutcome:
        name = _remote(settings, f"{PROBE_PREFIX}velocidad-{secrets.token_hex(4)}.part")
        try:
            started = time.monotonic()
            await _step("escritura", _write(sftp, name, os.urandom(_CHUNK), nbytes), timeout_s)
            elapsed = time.monotonic() - started
        finally:
            await _quietly(sftp.remove(name))
        return SftpOutcome("ok", "carga completa", facts, bytes=nbytes, transfer_s=elapsed)

    return run_session(settings, action, timeout_s=timeout_s + 30.0)


def upload_files(
    settings: SftpSettings, files: Sequence[Path], *, timeout_s: float = 120.0
) -> SftpOutcome:
    """Upload each file under a temporary ``.part`` name, then rename it to its name, in order
    (archive first, sidecar last: a watcher never sees an incomplete file under its name)."""

    async def action(sftp: asyncssh.SFTPClient, facts: SessionFacts) -> SftpOutcome:
        total = 0
        started = time.monotonic()
        for path in files:
            final = _remote(settings, path.name)
            partial = _remote(settings, f"{PROBE_PREFIX}{path.name}.part")
            try:
                await _step("escritura", sftp.put(str(path), partial), timeout_s)
                await _quietly(sftp.remove(final))
                await _step("escritura", _rename(sftp, partial, final))
            except _StepFailed:
                await _quietly(sftp.remove(partial))
                raise
            total += path.stat().st_size
        done = f"{len(files)} archivo(s) subido(s) a {settings.upload_dir}"
        return SftpOutcome("ok", done, facts, bytes=total, transfer_s=time.monotonic() - started)

    return run_session(settings, action, timeout_s=timeout_s + 30.0)


def remove_files(
    settings: SftpSettings, names: Sequence[str], *, timeout_s: float = 30.0
) -> SftpOutcome:
    """Remove ``names`` from the upload folder if present; ``detail['presentes']`` lists those
    that were still there (the difusor's procedure had not taken them)."""

    async def action(sftp: asyncssh.SFTPClient, facts: SessionFacts) -> SftpOutcome:
        present = []
        for name in names:
            remote = _remote(settings, name)
            if await _step("borrado", sftp.exists(remote)):
                present.append(name)
                await _step("borrado", sftp.remove(remote))
        return SftpOutcome("ok", "limpieza hecha", facts, detail={"presentes": present})

    return run_session(settings, action, timeout_s=timeout_s)


# -- the session ----------------------------------------------------------------------------------


def run_session(settings: SftpSettings, action: Action, *, timeout_s: float) -> SftpOutcome:
    """Open an SFTP session, run ``action``, close; every failure becomes an outcome."""
    facts = SessionFacts(settings.host, settings.port, settings.username, settings.upload_dir)
    started = time.monotonic()
    try:
        options = _connect_options(settings)
    except ConfigError as exc:  # our own Spanish message (a missing environment variable)
        reason = f"no se pudieron preparar las credenciales: {exc}"
        return SftpOutcome("credenciales", _redact(reason, settings), facts)
    except (OSError, asyncssh.KeyImportError) as exc:
        why = "no se pudieron preparar las credenciales: la llave privada no se pudo leer"
        text = _redact(_describe(exc), settings)
        return SftpOutcome("credenciales", why, facts, error_detail=text)
    facts = replace(
        facts, methods=_methods(options), host_key_checked=settings.known_hosts is not None
    )
    try:
        result = asyncio.run(_bounded(settings, options, facts, action, timeout_s))
    except Exception as exc:  # a bug here must not carry a secret into a crash report
        result = SftpOutcome(
            "conexion", "falla interna del probe SFTP", facts, error_detail=_describe(exc)
        )
    raw = _redact(result.error_detail, settings) if result.error_detail else None
    return replace(
        result,
        reason=_redact(result.reason, settings),
        error_detail=raw,
        elapsed_s=time.monotonic() - started,
    )


async def _bounded(
    settings: SftpSettings,
    options: dict[str, Any],
    facts: SessionFacts,
    action: Action,
    timeout_s: float,
) -> SftpOutcome:
    try:
        return await asyncio.wait_for(_session(settings, options, facts, action), timeout_s)
    except TimeoutError:
        return SftpOutcome("conexion", f"la sesión SFTP excedió {timeout_s:g} s", facts)


async def _session(
    settings: SftpSettings, options: dict[str, Any], facts: SessionFacts, action: Action
) -> SftpOutcome:
    try:
        conn = await asyncssh.connect(settings.host, settings.port, **options)
    except Exception as exc:  # every connection failure becomes an outcome, never a crash
        reason = _connect_reason(exc, settings)
        return SftpOutcome(_connect_stage(exc), reason, facts, error_detail=_describe(exc))
    try:
        facts = replace(
            facts, host_key=_fingerprint(conn), cipher=conn.get_extra_info("send_cipher")
        )
        async with conn.start_sftp_client() as sftp:
            return await action(sftp, facts)
    except _StepFailed as exc:
        return SftpOutcome(exc.stage, exc.reason, facts, error_detail=exc.detail)
    except (asyncssh.Error, OSError) as exc:
        reason = f"la sesión SFTP falló: {describe(exc).reason}"
        return SftpOutcome("conexion", reason, facts, error_detail=_describe(exc))
    finally:
        conn.close()
        await conn.wait_closed()


def _connect_options(settings: SftpSettings) -> dict[str, Any]:
    """asyncssh options: only the configured credentials, nothing from ``~/.ssh``."""
    password = settings.password()
    passphrase = settings.key_passphrase()
    keys = None
    if settings.key_file is not None:
        keys = [
            asyncssh.read_private_key(
                settings.key_file, passphrase.get_secret_value() if passphrase else None
            )
        ]
    return {
        "username": settings.username,
        "password": password.get_secret_value() if password else None,
        "client_keys": keys,
        "known_hosts": str(settings.known_hosts) if settings.known_hosts else None,
        "config": [],
        "agent_path": None,
        "gss_auth": False,
        "host_based_auth": False,
        "kbdint_auth": False,
        "encryption_algs": _CIPHERS,
        "compression_algs": None,
        "connect_timeout": 15.0,
        "login_timeout": 15.0,
    }


def _methods(options: dict[str, Any]) -> tuple[str, ...]:
    offered = []
    if options["client_keys"]:
        offered.append("llave")
    if options["password"] is not None:
        offered.append("contraseña")
    return tuple(offered)


def _fingerprint(conn: asyncssh.SSHClientConnection) -> str | None:
    key = conn.get_server_host_key()
    return key.get_fingerprint() if key is not None else None


def _connect_stage(exc: BaseException) -> Stage:
    if isinstance(exc, asyncssh.HostKeyNotVerifiable):
        return "llave-servidor"
    if isinstance(exc, asyncssh.PermissionDenied):
        return "autenticacion"
    return "conexion"


def _connect_reason(exc: BaseException, settings: SftpSettings) -> str:
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, asyncssh.HostKeyNotVerifiable):
        return f"la llave del servidor {where} no coincide con known_hosts ({settings.known_hosts})"
    if isinstance(exc, asyncssh.PermissionDenied):
        return f"{where} rechazó las credenciales del usuario {settings.username}"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return f"{where} no respondió a tiempo"
    if isinstance(exc, ConnectionRefusedError):
        return f"{where} rechazó la conexión (¿servicio SFTP apagado o puerto cerrado?)"
    return f"no se pudo conectar a {where}: {describe(exc).reason}"


# -- steps ----------------------------------------------------------------------------------------


def _remote(settings: SftpSettings, name: str) -> str:
    folder = settings.upload_dir.rstrip("/")
    return f"{folder}/{name}" if folder else name


async def _write(sftp: asyncssh.SFTPClient, name: str, chunk: bytes, nbytes: int) -> None:
    """Write ``nbytes`` (``chunk`` repeated, the tail cut) to ``name``; asyncssh splits each
    chunk into parallel requests of the server's own maximum size."""
    async with sftp.open(name, "wb") as remote:
        left = nbytes
        while left > 0:
            piece = chunk[: min(left, len(chunk))]
            await remote.write(piece)
            left -= len(piece)


async def _rename(sftp: asyncssh.SFTPClient, source: str, target: str) -> None:
    try:
        await sftp.posix_rename(source, target)
    except asyncssh.SFTPOpUnsupported:
        await sftp.rename(source, target)


async def _step(stage: Stage, awaitable: Awaitable[T], timeout_s: float = 30.0) -> T:
    """Await one SFTP step within ``timeout_s``; server refusals become ``_StepFailed``."""
    try:
        return await asyncio.wait_for(awaitable, timeout_s)
    except asyncssh.SFTPError as exc:
        meaning = _SFTP_CODES.get(exc.code, "rechazó la operación")
        raise _StepFailed(stage, f"el servidor SFTP {meaning}", _describe(exc)) from None
    except TimeoutError:
        raise _StepFailed(stage, f"sin respuesta en {timeout_s:g} s") from None


async def _quietly(awaitable: Awaitable[object]) -> None:
    """Best-effort cleanup: a missing file or a refusal is not an error here."""
    with contextlib.suppress(asyncssh.Error, OSError, TimeoutError):
        await asyncio.wait_for(awaitable, 30.0)


# -- text -----------------------------------------------------------------------------------------

#: SFTP status codes (draft-ietf-secsh-filexfer) in plain Spanish.
_SFTP_CODES = {
    2: "dice que el archivo o la carpeta no existe",
    3: "negó el permiso",
    4: "no pudo completar la operación",
    8: "no admite la operación",
    11: "dice que el archivo ya existe",
    14: "se quedó sin espacio en disco",
    15: "dice que se excedió la cuota",
}


def _describe(exc: BaseException) -> str:
    """The exception's own words (sanitized), for ``error_detail``."""
    text = str(exc).strip() or type(exc).__name__
    return clean_text(f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text)


def _redact(text: str, settings: SftpSettings) -> str:
    """Mask any secret value that could have slipped into a message (defence in depth), in
    every form it can take (``prepcheck.redaction``)."""
    names = (settings.password_env, settings.key_passphrase_env)
    return from_environment(names, [settings.username])(text)
