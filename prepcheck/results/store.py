"""Reading and writing results.json: validated on read and on write, atomic, bounded, one mode.

Contract: :func:`write_document` validates the document against the JSON Schema, replaces
text a site could have poisoned (lone surrogates, control characters) and bounds evidence
(long strings and lists are cut, saying so), then writes through a temporary file and a
rename, so a reader never sees half a file and a failure leaves the previous file intact.
Files are written with mode :data:`FILE_MODE`. :func:`read_document` raises
``ResultsFileError`` (a Spanish message naming the file and what is wrong) for anything that
is not a valid results document; documents of schema version 1 are upgraded on read.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from prepcheck.errors import ResultsFileError
from prepcheck.files import FileTooLarge, NotRegularFile, read_bounded, why
from prepcheck.results.document import SCHEMA_VERSION, derive
from prepcheck.results.upgrade import upgrade_v1

#: Mode of every file the harness writes into an output folder (a web server may serve it).
FILE_MODE = 0o644
#: The largest results.json read: evidence is bounded on write, so a real one stays far below
#: (a run's with pictures of its differing pages weighs a few MB).
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_TEXT = 20_000
MAX_ITEMS = 1_000
#: Evidence keys whose (large) values the harness itself produced and bounded.
_OWN_PAYLOADS = frozenset({"png_base64"})


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of results.json (``prepcheck/results/schema/results.schema.json``)."""
    text = resources.files("prepcheck.results").joinpath("schema/results.schema.json")
    loaded: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return loaded


def problems(document: Any) -> list[str]:
    """Where ``document`` breaks the schema (empty when valid); paths in dotted form."""
    validator = jsonschema.Draft202012Validator(schema())
    found = []
    for issue in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(part) for part in issue.absolute_path) or "(raíz)"
        found.append(f"{where}: {issue.message}")
    return found


def write_document(document: Mapping[str, Any], path: Path) -> Path:
    """Validate, clean, bound and write ``document`` atomically at ``path`` (see contract)."""
    cleaned = derive(clean(document))
    found = problems(cleaned)
    if found:
        # A programming error of the harness, never a site's doing: refuse to write it.
        raise ValueError(f"results document for {path} breaks the schema: {found[:3]}")
    write_json(cleaned, path)
    return path


def write_json(document: Mapping[str, Any], path: Path) -> None:
    """Write any JSON document atomically with :data:`FILE_MODE`."""
    text = json.dumps(document, ensure_ascii=False, indent=1, default=str)
    write_text(path, text + "\n")


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` at ``path`` through a temporary file and a rename, with :data:`FILE_MODE`
    (every output file: results, reports, boards, the live board); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_document(path: Path) -> dict[str, Any]:
    """The valid results document at ``path``; ``ResultsFileError`` otherwise (see contract)."""
    try:
        raw = json.loads(read_bounded(path, MAX_DOCUMENT_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise ResultsFileError(f"{path}: no existe") from None
    except NotRegularFile as exc:
        raise ResultsFileError(f"{path}: {exc.strerror}; se esperaba un results.json") from None
    except FileTooLarge as exc:
        raise ResultsFileError(f"{path}: {exc.strerror}; no es un results.json") from None
    except UnicodeDecodeError:
        raise ResultsFileError(f"{path}: no es texto UTF-8; no es un results.json") from None
    except json.JSONDecodeError as exc:
        raise ResultsFileError(
            f"{path}: no es JSON válido (línea {exc.lineno}, columna {exc.colno})"
        ) from None
    except RecursionError:
        raise ResultsFileError(f"{path}: anida demasiados niveles; no es un results.json") from None
    except OSError as exc:
        raise ResultsFileError(f"{path}: no se pudo leer ({why(exc)})") from None
    return validated(raw, path)


def validated(raw: Any, path: Path) -> dict[str, Any]:
    """``raw`` as a current results document, or ``ResultsFileError`` naming the problem."""
    if not isinstance(raw, dict) or "checks" not in raw or "schema_version" not in raw:
        raise ResultsFileError(
            f"{path}: no es un results.json de prepcheck (faltan «schema_version» o «checks»)"
        )
    if raw["schema_version"] == 1:
        raw = upgrade_v1(raw)
    if raw.get("schema_version") != SCHEMA_VERSION:
        raise ResultsFileError(
            f"{path}: versión de formato {raw.get('schema_version')!r} desconocida "
            f"(se espera {SCHEMA_VERSION})"
        )
    found = problems(raw)
    if found:
        listed = "; ".join(found[:3])
        raise ResultsFileError(f"{path}: results.json no válido: {listed}")
    document = derive(raw)
    if document["verdict"] != raw["verdict"]:
        raise ResultsFileError(
            f"{path}: el veredicto escrito ({raw['verdict']}) no corresponde a sus "
            f"verificaciones ({document['verdict']}); el archivo fue alterado"
        )
    return document


def clean(value: Any, key: str = "") -> Any:
    """``value`` with site-poisoned text replaced and evidence bounded (see contract)."""
    if isinstance(value, str):
        return value if key in _OWN_PAYLOADS else _clean_text(value)
    if isinstance(value, Mapping):
        return {_clean_text(str(k)): clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [clean(item, key) for item in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            items.append(f"… y {len(value) - MAX_ITEMS} elementos más (omitidos)")
        return items
    return value


_CONTROL = {c: None for c in range(32) if chr(c) not in "\t\n\r"} | {0x7F: None}


def _clean_text(text: str) -> str:
    text = text.encode("utf-8", "replace").decode("utf-8").translate(_CONTROL)
    if len(text) > MAX_TEXT:
        return text[:MAX_TEXT] + f"… (recortado: {len(text)} caracteres)"
    return text
