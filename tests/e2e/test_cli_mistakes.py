"""User mistakes through the installed ``prepcheck`` command: each exits 2 with a Spanish
message naming the argument or the file, never a traceback; help is Spanish throughout;
a closed stdout and Ctrl-C end quietly."""

from __future__ import annotations

import argparse
import ast
import inspect
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from configs import MINIMAL_CONFIG

from prepcheck.cli import build_parser, main
from prepcheck.cli.spanish import CATALOGUE

PREPCHECK = Path(sys.executable).with_name("prepcheck")
GOOD = MINIMAL_CONFIG
# argparse's English, and English of ours, that must never reach a person.
ENGLISH = ("usage:", "error: the", "invalid", "argument ", "expected", "Traceback", "required")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("mistakes")
    (base / "prepcheck.toml").write_text(GOOD, encoding="utf-8")
    (base / "latin1.toml").write_bytes('[election]\nname = "Veracruz — México"\n'.encode("cp1252"))
    (base / "a-file").write_text("not a folder", encoding="utf-8")
    (base / "not-results.json").write_text('{"difusor": "unam"}', encoding="utf-8")
    (base / "broken.json").write_text('{"schema_version": ', encoding="utf-8")
    (base / "folder").mkdir()
    return {
        "config": base / "prepcheck.toml",
        "latin1": base / "latin1.toml",
        "file": base / "a-file",
        "not_results": base / "not-results.json",
        "broken": base / "broken.json",
        "folder": base / "folder",
        "base": base,
    }


def cli(*argv: str | Path, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run prepcheck in ``cwd`` (default output folders such as reports/ land there)."""
    return subprocess.run(
        [str(PREPCHECK), *map(str, argv)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "LANG": "C.UTF-8"},
    )


# (id, argv built from the files fixture, what the message must say)
MISTAKES = [
    ("no-command", lambda f: [], "faltan los argumentos obligatorios: COMANDO"),
    ("unknown-command", lambda f: ["corre"], "argumento COMANDO: valor no válido: 'corre'"),
    ("run-without-config", lambda f: ["run"], "faltan los argumentos obligatorios: --config"),
    ("config-without-value", lambda f: ["run", "--config"],
     "argumento --config: se esperaba un valor"),
    ("config-missing", lambda f: ["run", "--config", f["base"] / "nope.toml"],
     "nope.toml: no existe el archivo de configuración"),
    ("config-is-folder", lambda f: ["run", "--config", f["folder"]],
     "folder: es una carpeta; se esperaba el archivo de configuración"),
    ("config-not-utf8", lambda f: ["run", "--config", f["latin1"]],
     "latin1.toml: línea 2: el archivo no está en UTF-8"),
    ("unknown-difusor", lambda f: ["run", "--config", f["config"], "--difusor", "unma"],
     "--difusor unma: no hay un difusor con ese nombre"),
    ("out-is-a-file", lambda f: ["run", "--config", f["config"], "--out", f["file"]],
     "a-file ya existe y no es una carpeta"),
    ("unknown-option", lambda f: ["run", "--config", f["config"], "--rapido"],
     "argumentos no reconocidos: --rapido"),
    ("corte-not-a-time", lambda f: ["package", "build", "--corte", "ayer", "--out", f["base"]],
     "--corte: se esperaba una fecha y hora como \"2027-06-06 21:15\", se recibió 'ayer'"),
    ("utc-offset-not-an-offset", lambda f: ["package", "build", "--corte", "2021-06-06 21:15",
                                            "--utc-offset=centro", "--out", f["base"]],
     "--utc-offset: se esperaba un desfase como -06:00"),
    ("scale-unknown", lambda f: ["package", "build", "--corte", "2021-06-06 21:15", "--out",
                                 f["base"], "--scale", "enorme"],
     "argumento --scale: valor no válido: 'enorme' (elija entre 'small', 'full')"),
    ("seed-not-a-number", lambda f: ["package", "build", "--corte", "2021-06-06 21:15", "--out",
                                     f["base"], "--seed", "x"],
     "argumento --seed: se esperaba un número entero"),
    ("verify-missing-package", lambda f: ["package", "verify", f["base"] / "nope.zip"],
     "argumento PAQUETE: no existe el archivo"),
    ("verify-folder", lambda f: ["package", "verify", f["folder"]],
     "folder es una carpeta; se esperaba un archivo"),
    ("render-not-results", lambda f: ["render", f["not_results"]],
     "not-results.json: no es un results.json de prepcheck (faltan «schema_version» o «checks»)"),
    ("render-broken-json", lambda f: ["render", f["broken"]],
     "broken.json: no es JSON válido (línea 1"),
    ("render-toml", lambda f: ["render", f["config"]], "prepcheck.toml: no es JSON válido"),
    ("render-nothing", lambda f: ["render"],
     "faltan los argumentos obligatorios: RESULTADOS.json"),
    ("port-out-of-range", lambda f: ["reference", "serve", "--port", "99999"],
     "argumento --port: se esperaba un puerto entre 1 y 65535 (0: uno libre)"),
    ("users-not-a-number", lambda f: ["load", "--difusor", "unam", "--config", f["config"],
                                  "--users", "diez"],
     "argumento --users: se esperaba un número entero; se recibió 'diez'"),
    ("rate-not-a-number", lambda f: ["load", "--difusor", "unam", "--config", f["config"],
                                     "--rate", "rápido"],
     "argumento --rate: se esperaba un número"),
    ("load-unknown-difusor", lambda f: ["load", "--difusor", "diario", "--config", f["config"]],
     "--difusor diario: no hay un difusor con ese nombre"),
    ("monitor-for-and-until", lambda f: ["monitor", "--config", f["config"], "--for", "1m",
                                         "--until", "2030-01-01T00:00"],
     "argumento --until: no se permite junto con el argumento --for"),
    ("monitor-bad-duration", lambda f: ["monitor", "--config", f["config"], "--out",
                                        f["base"] / "monitor", "--for", "nunca"],
     "duración no válida: 'nunca'"),
    ("monitor-db-is-folder", lambda f: ["monitor", "--config", f["config"], "--db", f["folder"],
                                        "--max-probes", "1"],
     "folder es una carpeta; se esperaba un archivo"),
    ("monitor-db-not-sqlite", lambda f: ["monitor", "--config", f["config"], "--db", f["config"],
                                         "--report-only"],
     "prepcheck.toml existe y no es una base de datos SQLite"),
    ("memoria-incidents-folder", lambda f: ["memoria", "--config", f["config"], "--difusor",
                                            "unam", "--access-log", f["config"], "--incidents",
                                            f["folder"], "--out", f["base"] / "memoria"],
     "folder es una carpeta; se esperaba un archivo"),
    ("memoria-missing-log", lambda f: ["memoria", "--config", f["config"], "--difusor", "unam",
                                       "--access-log", f["base"] / "nope.log", "--out",
                                       f["base"] / "memoria"],
     "nope.log: no existe"),
    ("memoria-bad-date", lambda f: ["memoria", "--config", f["config"], "--difusor", "unam",
                                    "--access-log", f["config"], "--from", "2021-13-01", "--out",
                                    f["base"] / "memoria"],
     "--from/--to: '2021-13-01': se esperaba una fecha AAAA-MM-DD"),
    ("selftest-site-root-missing", lambda f: ["selftest", "--difusor", "unam", "--config",
                                              f["config"], "--site-root", f["base"] / "www",
                                              "--history", f["folder"], "--access-log",
                                              f["file"], "--out", f["base"] / "st"],
     "argumento --site-root: no existe la carpeta"),
    ("selftest-history-is-a-file", lambda f: ["selftest", "--difusor", "unam", "--config",
                                              f["config"], "--site-root", f["folder"],
                                              "--history", f["file"], "--access-log", f["file"],
                                              "--out", f["base"] / "st"],
     "argumento --history: "),
    ("selftest-bad-log-format", lambda f: ["selftest", "--difusor", "unam", "--config",
                                           f["config"], "--site-root", f["folder"], "--history",
                                           f["folder"], "--access-log", f["file"],
                                           "--access-log-format", "%h %Q", "--out",
                                           f["base"] / "st"],
     "prepcheck: error de configuración: --access-log-format: "),
    ("out-cannot-be-created", lambda f: ["package", "build", "--corte", "2021-06-06 21:15",
                                         "--out", "/proc/1/paquetes"],
     "prepcheck: /proc/1/paquetes: no existe"),
    ("ingest-nothing", lambda f: ["ingest", "--root", f["base"] / "r", "--history",
                                  f["base"] / "h"],
     "indique el PAQUETE a publicar, o --watch CARPETA_DE_CARGA"),
    ("ingest-watch-missing-folder", lambda f: ["ingest", "--watch", f["base"] / "nope",
                                               "--root", f["base"] / "r", "--history",
                                               f["base"] / "h"],
     "argumento --watch: no existe la carpeta"),
]  # fmt: skip


def test_there_are_at_least_15_mistakes():
    assert len(MISTAKES) >= 15


@pytest.mark.parametrize(("name", "argv", "says"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistake_exits_2_in_spanish(name, argv, says, files):
    done = cli(*argv(files), cwd=files["base"])
    assert not (files["base"] / "st").exists()  # a selftest mistake records nothing
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert says in done.stderr, done.stderr
    assert done.stderr.startswith(("prepcheck: ", "uso: prepcheck")), done.stderr
    for word in ENGLISH:
        assert word not in done.stderr, (word, done.stderr)


def test_corte_accepts_the_iso_t_form(files):
    out = files["base"] / "iso"
    done = cli("package", "build", "--corte", "2021-06-06T21:15", "--out", out, cwd=out.parent)
    assert done.returncode == 0, done.stderr
    assert (out / "20210606_2115_PREP_VER.zip").is_file()


def every_parser(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from every_parser(sub, (*prefix, name))


def test_every_help_is_spanish_and_every_option_explained(capsys):
    parsers = list(every_parser(build_parser()))
    assert len(parsers) >= 15
    for prefix, parser in parsers:
        with pytest.raises(SystemExit) as caught:
            main([*prefix, "--help"])
        assert caught.value.code == 0
        text = capsys.readouterr().out
        assert text.startswith("uso: prepcheck"), text
        for english in ("usage:", "positional arguments", "options:", "show this help",
                        "default:", "subcommands"):  # fmt: skip
            assert english not in text, (prefix, english, text)
        assert "muestra esta ayuda y termina" in text
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction):
                assert action.help, (prefix, action.option_strings or action.dest)


def test_argparse_words_all_have_a_spanish_entry():
    tree = ast.parse(inspect.getsource(argparse))
    msgids = {
        arg.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("_", "ngettext")
        for arg in node.args
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    }
    assert len(msgids) > 20
    assert sorted(msgids - set(CATALOGUE)) == []


def test_spanish_is_scoped_to_prepcheck_parsers():
    build_parser().format_help()
    other = argparse.ArgumentParser(prog="otro")
    assert other.format_usage().startswith("usage: otro")


def test_closed_stdout_ends_quietly():
    read, write = os.pipe()
    os.close(read)  # nobody will read: the first flush gets EPIPE
    try:
        done = subprocess.run(
            [str(PREPCHECK), "checks"], stdout=write, stderr=subprocess.PIPE, text=True,
            timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(write)
    assert done.returncode == 141
    assert done.stderr == ""


def test_piped_into_head_prints_no_error():
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; '{PREPCHECK}' checks | head -n 1"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.stdout.startswith("| id |")
    assert done.stderr == ""
    assert done.returncode in (0, 141)


def _holds_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has ``path`` open (False once it has exited)."""
    try:
        return any(os.readlink(fd) == str(path) for fd in Path(f"/proc/{pid}/fd").iterdir())
    except FileNotFoundError:  # the process, or one of its descriptors, just went away
        return False


def test_ctrl_c_exits_130_with_a_spanish_line(files, tmp_path):
    # selftest verifies every package kept in the history against its sidecar: a sparse
    # 64 GiB one keeps it hashing inside main() for half a minute or more. It reads in 1 MiB
    # chunks, each a prompt read from memory, so the stop is seen within one chunk (a signal
    # landing just before a read that blocks for good, as on a pipe, would go unseen).
    history = tmp_path / "history"
    history.mkdir()
    package = history / "20210606_2100_PREP_VER.zip"
    with package.open("wb") as handle:
        handle.truncate(64 * 2**30)
    (history / f"{package.name}.sha256").write_text(f"{'0' * 64}  {package.name}\n")
    argv = ["selftest", "--difusor", "unam", "--config", files["config"], "--site-root",
            tmp_path, "--history", history, "--access-log", tmp_path / "access.log", "--out",
            tmp_path / "selftest"]  # fmt: skip
    # A shell starts background jobs with SIGINT ignored, and an ignored signal stays ignored
    # across exec: give the child the default disposition a terminal user has.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        child = subprocess.Popen(
            [str(PREPCHECK), *map(str, argv)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, previous)
    with child:  # closes the pipes whatever happens
        try:
            deadline = time.monotonic() + 60
            while not _holds_open(child.pid, package):
                assert child.poll() is None, child.communicate()
                assert time.monotonic() < deadline, "selftest never opened the package"
                time.sleep(0.01)
            child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == 130, (out, err)
    assert err.strip() == "prepcheck: interrumpido por el usuario (Ctrl-C)"
