"""SFTP probes against a real OpenSSH sshd on loopback (the reference one), and its lifecycle."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncssh
import pytest

from prepcheck.config import SftpSettings
from prepcheck.probes.sftp import measure_upload, probe_write, remove_files, upload_files
from prepcheck.reference.process import descendants, free_port, group_members
from prepcheck.reference.sshd import ReferenceSshd

PASSWORD = "contrasena-de-prueba-Zq81!"
PASSPHRASE = "frase-de-prueba-Kp27?"


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    base = tmp_path_factory.mktemp("sshd")
    (base / "home" / "upload").mkdir(parents=True)
    server = ReferenceSshd(base / "server", home=base / "home")
    with server:
        pid = server.pid
        yield server
    assert group_members(pid) == []


@pytest.fixture(scope="module")
def read_only_sshd(tmp_path_factory):
    base = tmp_path_factory.mktemp("sshd-ro")
    (base / "home" / "upload").mkdir(parents=True)
    with ReferenceSshd(base / "server", home=base / "home", read_only=True) as server:
        yield server


def settings_for(server: ReferenceSshd, **overrides) -> SftpSettings:
    values = {
        "host": server.host,
        "port": server.port,
        "username": server.user,
        "key_file": server.client_key,
        "known_hosts": server.known_hosts,
        "upload_dir": "upload",
    }
    return SftpSettings(**{**values, **overrides})


def other_key(path: Path, passphrase: str | None = None) -> Path:
    key = asyncssh.generate_private_key("ssh-ed25519")
    # PKCS#8: encrypted OpenSSH-format keys need bcrypt, which is not a dependency.
    key.write_private_key(str(path), format_name="pkcs8-pem", passphrase=passphrase)
    return path


def test_login_write_and_remove_leave_nothing(sshd):
    result = probe_write(settings_for(sshd))
    assert result.stage == "ok", result.reason
    assert result.facts.host_key_checked and result.facts.host_key.startswith("SHA256:")
    assert result.facts.methods == ("llave",)
    assert list((sshd.home / "upload").iterdir()) == []


def test_without_known_hosts_the_key_is_reported_unverified(sshd):
    result = probe_write(settings_for(sshd, known_hosts=None))
    assert result.ok and not result.facts.host_key_checked
    assert "no verificada" in result.facts.evidence()["llave_del_servidor"]


def test_wrong_host_key_is_refused(sshd, tmp_path):
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    known = tmp_path / "known_hosts"
    known.write_text(f"[{sshd.host}]:{sshd.port} {stranger}")
    result = probe_write(settings_for(sshd, known_hosts=known))
    assert result.stage == "llave-servidor"
    assert "known_hosts" in result.reason


def test_unauthorized_key_and_password_are_refused_without_leaking(sshd, tmp_path, monkeypatch):
    monkeypatch.setenv("PREPCHECK_TEST_PW", PASSWORD)
    monkeypatch.setenv("PREPCHECK_TEST_PP", PASSPHRASE)
    key = other_key(tmp_path / "key", PASSPHRASE)
    settings = settings_for(
        sshd, key_file=key, password_env="PREPCHECK_TEST_PW", key_passphrase_env="PREPCHECK_TEST_PP"
    )
    result = probe_write(settings)
    assert result.stage == "autenticacion"
    assert "rechazó las credenciales" in result.reason
    assert result.facts.methods == ("llave", "contraseña")
    text = repr(result)
    assert PASSWORD not in text and PASSPHRASE not in text


def test_wrong_passphrase_and_missing_variable_are_credential_errors(sshd, tmp_path, monkeypatch):
    monkeypatch.setenv("PREPCHECK_TEST_PP", "no-es-la-frase")
    key = other_key(tmp_path / "key", PASSPHRASE)
    result = probe_write(settings_for(sshd, key_file=key, key_passphrase_env="PREPCHECK_TEST_PP"))
    assert result.stage == "credenciales"
    assert "no-es-la-frase" not in repr(result)
    monkeypatch.delenv("PREPCHECK_TEST_PW", raising=False)
    missing = probe_write(settings_for(sshd, password_env="PREPCHECK_TEST_PW"))
    assert missing.stage == "credenciales" and "PREPCHECK_TEST_PW" in missing.reason


def test_read_only_folder_fails_at_writing(read_only_sshd):
    result = probe_write(settings_for(read_only_sshd))
    assert result.stage == "escritura", result.reason


def test_missing_upload_folder_fails_at_writing(sshd):
    result = probe_write(settings_for(sshd, upload_dir="no-existe"))
    assert result.stage == "escritura"


def test_closed_port_is_a_connection_problem(sshd):
    result = probe_write(settings_for(sshd, port=free_port(), known_hosts=None))
    assert result.stage == "conexion" and "rechazó la conexión" in result.reason


def test_throughput_measures_and_removes_its_file(sshd):
    result = measure_upload(settings_for(sshd), 16 * 1024 * 1024)
    assert result.ok, result.reason
    assert result.bytes == 16 * 1024 * 1024 and result.transfer_s and result.transfer_s > 0
    assert list((sshd.home / "upload").iterdir()) == []


def test_upload_renames_into_place_and_cleanup_reports_what_was_left(sshd, tmp_path):
    files = [
        tmp_path / "20210606_2116_PREP_VER.zip",
        tmp_path / "20210606_2116_PREP_VER.zip.sha256",
    ]
    for path in files:
        path.write_bytes(b"x" * 1000)
    assert upload_files(settings_for(sshd), files).ok
    upload = sshd.home / "upload"
    assert sorted(p.name for p in upload.iterdir()) == sorted(p.name for p in files)
    cleaned = remove_files(settings_for(sshd), [files[0].name, "no-estaba.zip"])
    assert cleaned.detail == {"presentes": [files[0].name]}
    (upload / files[1].name).unlink()


def test_stop_leaves_no_sshd_process_even_with_a_connection_open(tmp_path):
    (tmp_path / "home").mkdir()
    server = ReferenceSshd(tmp_path / "server", home=tmp_path / "home")
    server.start()
    pid = server.pid

    async def hold_open() -> list[int]:
        async with (
            asyncssh.connect(
                server.host,
                server.port,
                username=server.user,
                client_keys=[str(server.client_key)],
                known_hosts=str(server.known_hosts),
                config=[],
                agent_path=None,
            ) as conn,
            conn.start_sftp_client(),
        ):
            found = descendants(pid)
            server.stop()
            return found

    children = asyncio.run(hold_open())
    assert children, "a connection runs in child processes"
    assert all(not Path(f"/proc/{child}").exists() or _zombie(child) for child in children)
    assert not Path(f"/proc/{pid}").exists() or _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True
