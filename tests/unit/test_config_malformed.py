"""Malformed configurations are refused at load, through the real CLI entry: exit 2, one
Spanish line per problem naming the line, the difusor by name and the key; no traceback.

Each case changes one thing in a configuration that is valid for a checklist run (a test below
proves it), so each refusal is about that one thing. ``base_url`` points at a closed loopback
port: were a case ever accepted, the run would stay on loopback (and fail this test).
"""

from __future__ import annotations

import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from prepcheck.cli import main
from prepcheck.config import Needs, load_config
from prepcheck.reference.pki import LocalCA

PASSWORD_ENV = "PREPCHECK_TEST_MALFORMED_PASSWORD"
PASSPHRASE_ENV = "PREPCHECK_TEST_MALFORMED_PASSPHRASE"
DIGEST = "ab" * 32
GOOD = f"""
[election]
name = "Simulacro"
utc_offset = "-06:00"
window_start = 2026-11-29T19:00:00
window_end = 2026-12-05T23:59:00
update_interval_minutes = 15
certificate_margin_days = 7
official_packages_dir = "paquetes"

[election.package]
path = "paquetes/20210606_2115_PREP_VER.zip"
digest = "{DIGEST}"

[election.monitor]
availability_percent = 99.9

[[difusor]]
name = "unam"
display_name = "UNAM"
base_url = "https://127.0.0.1:9/"
ca_file = "ca/ca.pem"
timeout_seconds = 10

[difusor.sftp]
host = "127.0.0.1"
port = 2222
username = "oplev"
password_env = "{PASSWORD_ENV}"
key_file = "llave"

[difusor.load]
authorized = false
users = 10
max_error_rate = 0.01

[difusor.render]
viewports = {{desktop = [1366, 768]}}

[difusor.transport]
mozilla_guideline = "6.0"

[difusor.host]
min_free_gb = 20

[[difusor]]
name = "diario"
base_url = "https://127.0.0.1:9/diario/"
"""

# English that pydantic or tomllib would print; none of it may reach a person.
ENGLISH = re.compile(
    r"Input should|Value error|Field required|Extra inputs|valid (?:number|integer|boolean)"
    r"|not allowed|Traceback|Expected|Invalid|unknown key|not found|must be"
)


@dataclass(frozen=True)
class Case:
    """Replace ``old`` (which must occur in GOOD) by ``new``; expect ``key`` (and the difusor
    ``difusor``, None for election keys) named with ``says`` in the message."""

    id: str
    old: str
    new: str
    key: str
    difusor: str | None
    says: str


CASES = [
    # The cases observed in issue 14 (accepted then failing at run time, or coerced).
    Case("ca-file-folder", 'ca_file = "ca/ca.pem"', 'ca_file = "ca"', "difusor.ca_file", "unam",
         "es una carpeta"),
    Case("ca-file-passwd", 'ca_file = "ca/ca.pem"', 'ca_file = "/etc/passwd"', "difusor.ca_file",
         "unam", "no contiene certificados PEM"),
    Case("ca-file-empty", 'ca_file = "ca/ca.pem"', 'ca_file = "vacio.pem"', "difusor.ca_file",
         "unam", "está vacío"),
    Case("ca-file-missing", 'ca_file = "ca/ca.pem"', 'ca_file = "nada.pem"', "difusor.ca_file",
         "unam", "no existe el archivo"),
    Case("base-url-port-99999", 'base_url = "https://127.0.0.1:9/"',
         'base_url = "https://127.0.0.1:99999/"', "difusor.base_url", "unam", "puerto no válido"),
    Case("packages-dir-is-file", 'official_packages_dir = "paquetes"',
         'official_packages_dir = "llave"', "election.official_packages_dir", None,
         "se esperaba una carpeta"),
    Case("packages-dir-missing", 'official_packages_dir = "paquetes"',
         'official_packages_dir = "no-hay"', "election.official_packages_dir", None,
         "no existe la carpeta"),
    Case("package-path-folder", 'path = "paquetes/20210606_2115_PREP_VER.zip"',
         'path = "paquetes"', "election.package.path", None, "es una carpeta"),
    Case("package-path-missing", 'path = "paquetes/20210606_2115_PREP_VER.zip"',
         'path = "paquetes/otro.zip"', "election.package.path", None, "no existe el archivo"),
    Case("digest-minus-one", f'digest = "{DIGEST}"', 'digest = "-1"', "election.package.digest",
         None, "64 dígitos hexadecimales"),
    Case("digest-and-digest-file", f'digest = "{DIGEST}"',
         f'digest = "{DIGEST}"\ndigest_file = "paquetes/20210606_2115_PREP_VER.zip"',
         "election.package.digest_file", None, "solo una de `digest` o `digest_file`"),
    Case("key-file-folder", 'key_file = "llave"', 'key_file = "ca"', "difusor.sftp.key_file",
         "unam", "es una carpeta"),
    Case("main-json-file-url", "timeout_seconds = 10",
         'timeout_seconds = 10\nmain_json = "file:///etc/passwd"', "difusor.main_json", "unam",
         "https://"),
    Case("official-main-json-file-url", 'official_packages_dir = "paquetes"',
         'official_packages_dir = "paquetes"\nofficial_main_json_url = "file:///tmp/main.json"',
         "election.official_main_json_url", None, "https://"),
    Case("space-in-base-url", 'base_url = "https://127.0.0.1:9/"',
         'base_url = "https://127.0.0.1:9/mi prep/"', "difusor.base_url", "unam", "espacios"),
    Case("timeout-string", "timeout_seconds = 10", 'timeout_seconds = "10"',
         "difusor.timeout_seconds", "unam",
         'se esperaba un número, sin comillas; se encontró "10"'),
    Case("timeout-boolean", "timeout_seconds = 10", "timeout_seconds = true",
         "difusor.timeout_seconds", "unam", "se encontró true (booleano)"),
    Case("authorized-yes", "authorized = false", 'authorized = "yes"', "difusor.load.authorized",
         "unam", "se esperaba true o false"),
    Case("authorized-one", "authorized = false", "authorized = 1", "difusor.load.authorized",
         "unam", "se esperaba true o false"),
    # Unknown keys: the closest known key is suggested.
    Case("typo-timeout", "timeout_seconds = 10", "timout_seconds = 10",
         "difusor.timout_seconds", "unam", "¿quiso decir `timeout_seconds`?"),
    Case("typo-table", "[difusor.transport]", "[difusor.transprt]", "difusor.transprt", "unam",
         "¿quiso decir `transport`?"),
    Case("typo-election", "update_interval_minutes = 15", "update_interval_minute = 15",
         "election.update_interval_minute", None, "¿quiso decir `update_interval_minutes`?"),
    Case("secret-in-file", 'username = "oplev"', 'username = "oplev"\npassword = "s3cret"',
         "difusor.sftp.password", "unam", "¿quiso decir `password_env`?"),
    Case("unknown-top-level", "[election]", 'colour = "red"\n[election]', "colour", None,
         "clave desconocida"),
    # Election.
    Case("window-reversed", "window_end = 2026-12-05T23:59:00",
         "window_end = 2026-11-01T00:00:00", "election.window_end", None,
         "posterior a window_start"),
    Case("window-missing", "window_end = 2026-12-05T23:59:00", "", "election.window_end", None,
         "falta esta clave obligatoria"),
    Case("window-quoted", "window_start = 2026-11-29T19:00:00",
         'window_start = "2026-11-29T19:00:00"', "election.window_start", None,
         "fecha y hora sin comillas"),
    Case("utc-offset-text", 'utc_offset = "-06:00"', 'utc_offset = "centro"',
         "election.utc_offset", None, "desfase UTC"),
    Case("interval-zero", "update_interval_minutes = 15", "update_interval_minutes = 0",
         "election.update_interval_minutes", None, "mayor que 0 y menor o igual que 1440"),
    Case("margin-negative", "certificate_margin_days = 7", "certificate_margin_days = -1",
         "election.certificate_margin_days", None, "mayor o igual que 0"),
    Case("folder-with-slash", 'name = "Simulacro"', 'name = "Simulacro"\nfolder = "prep/ver"',
         "election.folder", None, "nombre de una carpeta"),
    Case("availability-over-100", "availability_percent = 99.9", "availability_percent = 101",
         "election.monitor.availability_percent", None, "menor o igual que 100"),
    # Package.
    Case("digest-short", f'digest = "{DIGEST}"', f'digest = "{DIGEST[:-1]}"',
         "election.package.digest", None, "63 caracteres"),
    Case("digest-sha512-length", f'digest = "{DIGEST}"',
         f'digest = "{DIGEST}"\nalgorithm = "sha512"', "election.package.digest", None,
         "128 dígitos hexadecimales"),
    Case("algorithm-sha1", f'digest = "{DIGEST}"', f'digest = "{DIGEST}"\nalgorithm = "sha1"',
         "election.package.algorithm", None, 'uno de: "sha256", "sha512", "md5"'),
    Case("path-and-url", f'digest = "{DIGEST}"',
         f'digest = "{DIGEST}"\nurl = "https://127.0.0.1:9/p.zip"', "election.package.url", None,
         "solo una de `path` o `url`"),
    Case("no-path-no-url", 'path = "paquetes/20210606_2115_PREP_VER.zip"', "",
         "election.package", None, "falta el paquete"),
    Case("package-url-file", 'path = "paquetes/20210606_2115_PREP_VER.zip"',
         'url = "file:///tmp/p.zip"', "election.package.url", None, "https://"),
    Case("digest-file-missing", f'digest = "{DIGEST}"', 'digest_file = "no-hay.sha256"',
         "election.package.digest_file", None, "no existe el archivo"),
    # Difusor.
    Case("name-bad", 'name = "unam"', 'name = "Mi UNAM!"', "difusor.name", "Mi UNAM!",
         "minúsculas"),
    Case("name-duplicated", 'name = "diario"', 'name = "unam"', "difusor.name", "unam",
         "ya lo usa otro difusor"),
    Case("base-url-ftp", 'base_url = "https://127.0.0.1:9/diario/"', 'base_url = "ftp://x/"',
         "difusor.base_url", "diario", "https://"),
    Case("base-url-no-host", 'base_url = "https://127.0.0.1:9/diario/"', 'base_url = "https://"',
         "difusor.base_url", "diario", "nombre del servidor"),
    Case("base-url-credentials", 'base_url = "https://127.0.0.1:9/diario/"',
         'base_url = "https://yo:clave@127.0.0.1:9/"', "difusor.base_url", "diario",
         "usuario ni contraseña"),
    Case("base-url-missing", 'base_url = "https://127.0.0.1:9/diario/"', "",
         "difusor.base_url", "diario", "falta esta clave obligatoria"),
    Case("display-name-number", 'display_name = "UNAM"', "display_name = 5",
         "difusor.display_name", "unam", "se esperaba un texto entre comillas"),
    Case("embed-url-javascript", "timeout_seconds = 10",
         'timeout_seconds = 10\nembed_url = "javascript:alert(1)"', "difusor.embed_url", "unam",
         "https://"),
    Case("http-url-no-host", "timeout_seconds = 10", 'timeout_seconds = 10\nhttp_url = "http:///x"',
         "difusor.http_url", "unam", "nombre del servidor"),
    Case("entry-url-ftp", "timeout_seconds = 10", 'timeout_seconds = 10\nentry_url = "ftp://x/"',
         "difusor.entry_url", "unam", "https://"),
    Case("budget-zero", "timeout_seconds = 10", "timeout_seconds = 10\nbudget_seconds = 0",
         "difusor.budget_seconds", "unam", "mayor que 0 y menor o igual que 3600"),
    Case("budget-too-long", "timeout_seconds = 10", "timeout_seconds = 10\nbudget_seconds = 4000",
         "difusor.budget_seconds", "unam", "menor o igual que 3600"),
    Case("timeout-too-long", "timeout_seconds = 10", "timeout_seconds = 301",
         "difusor.timeout_seconds", "unam", "menor o igual que 300"),
    # SFTP.
    Case("sftp-port-range", "port = 2222", "port = 70000", "difusor.sftp.port", "unam",
         "menor que 65536"),
    Case("sftp-port-string", "port = 2222", 'port = "22"', "difusor.sftp.port", "unam",
         "número entero, sin comillas"),
    Case("sftp-no-credential", f'password_env = "{PASSWORD_ENV}"\nkey_file = "llave"', "",
         "difusor.sftp", "unam", "falta la credencial"),
    Case("passphrase-without-key", 'key_file = "llave"', f'key_passphrase_env = "{PASSPHRASE_ENV}"',
         "difusor.sftp.key_passphrase_env", "unam", "solo tiene sentido junto con `key_file`"),
    Case("password-env-not-a-name", f'password_env = "{PASSWORD_ENV}"',
         'password_env = "mi clave secreta"', "difusor.sftp.password_env", "unam",
         "nombre de una variable de entorno"),
    Case("known-hosts-missing", 'key_file = "llave"', 'key_file = "llave"\nknown_hosts = "kh"',
         "difusor.sftp.known_hosts", "unam", "no existe el archivo"),
    Case("sftp-host-with-space", 'host = "127.0.0.1"', 'host = "mi servidor"',
         "difusor.sftp.host", "unam", "servidor SFTP"),
    Case("sftp-as-string", "[difusor.sftp]", 'sftp = "no"\n[difusor.otro_sftp]', "difusor.sftp",
         "unam", "se esperaba una tabla"),
    # Load, render, transport, host.
    Case("users-zero", "users = 10", "users = 0", "difusor.load.users", "unam",
         "número entero mayor que 0"),
    Case("users-float", "users = 10", "users = 2.5", "difusor.load.users", "unam",
         "se esperaba un número entero"),
    Case("error-rate-over-one", "max_error_rate = 0.01", "max_error_rate = 1.5",
         "difusor.load.max_error_rate", "unam", "menor o igual que 1"),
    Case("weights-all-zero", "max_error_rate = 0.01",
         "max_error_rate = 0.01\nweights = {inicio = 0, distrito = 0, municipio = 0, seccion = 0,"
         " csv = 0}", "difusor.load.weights", "unam", "al menos un peso"),
    Case("viewport-tiny", "desktop = [1366, 768]", "desktop = [10, 10]",
         "difusor.render.viewports.desktop", "unam", "entre 100 y 4000"),
    Case("viewport-text", "desktop = [1366, 768]", 'desktop = ["1366", "768"]',
         "difusor.render.viewports.desktop[0]", "unam", "número entero, sin comillas"),
    Case("page-absolute", "viewports = {desktop = [1366, 768]}",
         'viewports = {desktop = [1366, 768]}\npages = ["#/", "https://otro.mx/#/"]',
         "difusor.render.pages[1]", "unam", "relativa a la carpeta"),
    Case("mask-color-name", "viewports = {desktop = [1366, 768]}",
         'viewports = {desktop = [1366, 768]}\nmask_color = "magenta"',
         "difusor.render.mask_color", "unam", "#RRGGBB"),
    Case("figure-unknown", "viewports = {desktop = [1366, 768]}",
         'viewports = {desktop = [1366, 768]}\nfigures = {votos = "td"}',
         "difusor.render.figures.votos", "unam", "cifra desconocida"),
    Case("max-shots-one", "viewports = {desktop = [1366, 768]}",
         "viewports = {desktop = [1366, 768]}\nmax_shots = 1", "difusor.render.max_shots",
         "unam", "mayor o igual que 2"),
    Case("guideline-float", 'mozilla_guideline = "6.0"', "mozilla_guideline = 6.0",
         "difusor.transport.mozilla_guideline", "unam", 'uno de: "6.0", "5.7"'),
    Case("min-free-string", "min_free_gb = 20", 'min_free_gb = "20"', "difusor.host.min_free_gb",
         "unam", "se esperaba un número, sin comillas"),
    # Shape of the file.
    Case("difusor-in-unknown-table", "[[difusor]]\nname = \"diario\"",
         "[otro]\nname = \"diario\"", "otro", None, "clave desconocida"),
]  # fmt: skip


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One rehearsal CA for the module (each test gets a copy: making one costs ~10 ms)."""
    return LocalCA.create(tmp_path_factory.mktemp("ca")).directory


@pytest.fixture
def folder(ca: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with everything GOOD names: CA, package, key, packages folder."""
    shutil.copytree(ca, tmp_path / "ca")
    (tmp_path / "paquetes").mkdir()
    (tmp_path / "paquetes" / "20210606_2115_PREP_VER.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (tmp_path / "llave").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n", encoding="utf-8")
    (tmp_path / "vacio.pem").write_bytes(b"")
    monkeypatch.setenv(PASSWORD_ENV, "no-es-un-secreto-real")
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "prepcheck.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(folder: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["run", "--config", str(config), "--out", str(folder / "informes")])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_refused(code: int, output: str) -> None:
    assert code == 2, output
    assert "prepcheck: error de configuración" in output
    assert not ENGLISH.search(output), output


def test_the_base_configuration_is_valid_for_a_run(folder):
    config = load_config(write(folder, GOOD), needs=Needs(sftp_secrets=True))
    assert [d.name for d in config.difusor] == ["unam", "diario"]
    assert config.find("unam").ca_file == folder / "ca" / "ca.pem"


def test_there_are_at_least_50_cases():
    assert len(CASES) >= 50
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_configuration_is_refused(case: Case, folder, capsys):
    assert GOOD.count(case.old) == 1, case.old
    config = write(folder, GOOD.replace(case.old, case.new))
    code, output = run(folder, config, capsys)
    assert_refused(code, output)
    assert str(config) in output
    assert f"clave `{case.key}`" in output, output
    assert case.says in output, output
    if case.difusor is not None:
        assert f"difusor «{case.difusor}»" in output, output
    assert not (folder / "informes").exists()


@pytest.mark.parametrize(
    ("name", "variable"),
    [("unset-password-env", PASSWORD_ENV), ("unset-passphrase-env", PASSPHRASE_ENV)],
)
def test_unset_secret_variable_stops_a_run_but_not_memoria(name, variable, folder, capsys):
    text = GOOD.replace(
        'key_file = "llave"', f'key_file = "llave"\nkey_passphrase_env = "{variable}"'
    )
    if variable == PASSPHRASE_ENV:
        text = text.replace(f'password_env = "{PASSWORD_ENV}"\n', "")
    config = write(folder, text)
    with pytest.MonkeyPatch.context() as env:
        env.delenv(variable, raising=False)
        code, output = run(folder, config, capsys)
        assert_refused(code, output)
        assert "difusor «unam»" in output and f"la variable de entorno {variable}" in output
        key = "password_env" if variable == PASSWORD_ENV else "key_passphrase_env"
        assert f"clave `difusor.sftp.{key}`" in output
        # memoria does not log in over SFTP: the same file is fine for it.
        load_config(config)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("not-utf8", 'name = "M\xe9xico"\n'.encode("latin-1"), "no está en UTF-8"),
        ("empty", b"", "el archivo está vacío"),
        ("comments-only", b"# nada\n", "el archivo está vacío"),
        ("not-toml", b"[election\n", "no es TOML válido: línea 1, columna 10: falta `]`"),
        ("duplicate-key", b"[election]\nname = 'a'\nname = 'b'\n", "se define dos veces"),
        ("unquoted-text", b"[election]\nname = Simulacro\n", "línea 2"),
    ],
)
def test_unreadable_file_is_refused(name, content, says, folder, capsys):
    config = folder / "prepcheck.toml"
    config.write_bytes(content)
    code, output = run(folder, config, capsys)
    assert_refused(code, output)
    assert str(config) in output and says in output


def test_difusor_as_a_single_table_asks_for_double_brackets(folder, capsys):
    election = GOOD[: GOOD.index("[[difusor]]")]
    config = write(folder, election + '[difusor]\nname = "x"\nbase_url = "https://127.0.0.1:9/"\n')
    code, output = run(folder, config, capsys)
    assert_refused(code, output)
    assert "clave `difusor`: se esperaban secciones `[[difusor]]`, con doble corchete" in output


def test_a_folder_or_a_missing_file_as_configuration(folder, capsys):
    code, output = run(folder, folder, capsys)
    assert_refused(code, output)
    assert f"{folder}: es una carpeta" in output
    code, output = run(folder, folder / "no-hay.toml", capsys)
    assert_refused(code, output)
    assert "no existe el archivo de configuración" in output


def test_every_problem_at_once_sorted_by_line(folder, capsys):
    text = (
        GOOD.replace("timeout_seconds = 10", 'timout_seconds = "10"')
        .replace("authorized = false", 'authorized = "yes"')
        .replace('base_url = "https://127.0.0.1:9/diario/"', 'base_url = "file:///x"')
    )
    config = write(folder, text)
    code, output = run(folder, config, capsys)
    assert_refused(code, output)
    lines = text.splitlines()
    expected = [
        (lines.index('timout_seconds = "10"') + 1, "unam", "difusor.timout_seconds"),
        (lines.index('authorized = "yes"') + 1, "unam", "difusor.load.authorized"),
        (lines.index('base_url = "file:///x"') + 1, "diario", "difusor.base_url"),
    ]
    assert "(3 problemas)" in output
    problems = [line for line in output.splitlines() if line.startswith("  línea")]
    for line, (number, difusor, key) in zip(problems, expected, strict=True):
        assert line.startswith(f"  línea {number}, difusor «{difusor}», clave `{key}`:"), line


def test_unknown_difusor_name_suggests_the_closest(folder, capsys):
    config = write(folder, GOOD)
    code = main(["run", "--config", str(config), "--difusor", "unma", "--out", str(folder / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert "--difusor unma: no hay un difusor con ese nombre" in err
    assert "¿quiso decir «unam»?" in err and str(config) in err
