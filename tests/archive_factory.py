"""Small real archives for tests: good packages and one builder per bad archive kind.

Every builder writes ``dest`` and returns the entry name the rejection must mention.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import tarfile
import warnings
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

from prepcheck.archive import Limits

SITE_V1: dict[str, bytes] = {
    "prepver2021/index.html": b"<!doctype html><title>PREP VER 2021</title>\n",
    "prepver2021/json/main.json": b'{"horaCorte": "06/06/2021 21:00"}\n',
    "prepver2021/css/site.css": b"body { margin: 0 }\n",
    "prepver2021/datos/DIP_LOC_2021.csv": b"CLAVE_CASILLA,TOTAL\n" + b"30-1,10\n" * 200,
}
SITE_V2: dict[str, bytes] = {
    **SITE_V1,
    "prepver2021/json/main.json": b'{"horaCorte": "06/06/2021 21:15"}\n',
    "prepver2021/json/extra.json": b"[]\n",
}


def write_zip(dest: Path, files: Mapping[str, bytes], *, deflate: bool = True) -> Path:
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with warnings.catch_warnings():  # duplicate names are wanted by some tests
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(dest, "w", method) as zf:
            for name, data in files.items():
                zf.writestr(name, data)
    return dest


def write_zip_infos(dest: Path, items: list[tuple[zipfile.ZipInfo, bytes]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, data in items:
                zf.writestr(info, data)
    return dest


def tar_info(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.mode = 0o644
    return info


def write_tar_gz(dest: Path, items: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with (
        gzip.GzipFile(dest, "wb", mtime=0) as gz,
        tarfile.open(
            fileobj=gz,
            mode="w",
            format=tarfile.GNU_FORMAT,
            encoding="utf-8",
            errors="surrogateescape",
        ) as tf,
    ):
        for info, data in items:
            tf.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return dest


def tar_files(dest: Path, files: Mapping[str, bytes]) -> Path:
    return write_tar_gz(dest, [(tar_info(name, data), data) for name, data in files.items()])


def zip_of_zips(dest: Path, groups: Mapping[str, Mapping[str, bytes]]) -> Path:
    """An outer zip holding one inner zip per group (INE 2024 style)."""
    inner: dict[str, bytes] = {}
    for name, files in groups.items():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path, data in files.items():
                zf.writestr(path, data)
        inner[name] = buffer.getvalue()
    return write_zip(dest, inner, deflate=False)


def write_sidecar(archive: Path, algorithm: str = "sha256", *, binary: bool = False) -> Path:
    digest = hashlib.new(algorithm, archive.read_bytes()).hexdigest()
    sidecar = archive.with_name(f"{archive.name}.{algorithm}")
    sidecar.write_text(f"{digest} {'*' if binary else ' '}{archive.name}\n")
    return sidecar


def snapshot(top: Path) -> dict[str, str]:
    """Every path below ``top`` (symlinks not followed) with a digest of what it holds."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = str(path.relative_to(top))
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[rel] = "dir"
    return found


def tree(top: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(top)): path.read_bytes() for path in top.rglob("*") if path.is_file()
    }


# --- bad kinds: each returns the entry name the error must mention ---------------------------


def _zip(name: str) -> Callable[[Path], str]:
    def build(dest: Path) -> str:
        write_zip(dest, {"prepver2021/index.html": b"ok", name: b"evil"})
        return name

    return build


def _tar(name: str, kind: bytes = tarfile.REGTYPE) -> Callable[[Path], str]:
    def build(dest: Path) -> str:
        info = tar_info(name, b"evil", kind)
        if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
            info.linkname = "/etc/passwd"
        write_tar_gz(dest, [(tar_info("prepver2021/index.html", b"ok"), b"ok"), (info, b"evil")])
        return name

    return build


def zip_symlink(dest: Path) -> str:
    info = zipfile.ZipInfo("prepver2021/link")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    write_zip_infos(dest, [(info, b"/etc/passwd")])
    return "prepver2021/link"


def zip_device(dest: Path) -> str:
    info = zipfile.ZipInfo("prepver2021/dev")
    info.create_system = 3
    info.external_attr = (stat.S_IFCHR | 0o644) << 16
    write_zip_infos(dest, [(info, b"")])
    return "prepver2021/dev"


def zip_duplicate(dest: Path) -> str:
    name = "prepver2021/json/main.json"
    info_a, info_b = zipfile.ZipInfo(name), zipfile.ZipInfo(name)
    write_zip_infos(dest, [(info_a, b"{}"), (info_b, b'{"evil": 1}')])
    return name


def tar_duplicate(dest: Path) -> str:
    name = "prepver2021/json/main.json"
    write_tar_gz(dest, [(tar_info(name, b"{}"), b"{}"), (tar_info(name, b"[]"), b"[]")])
    return name


def zip_case_collision(dest: Path) -> str:
    write_zip(dest, {"prepver2021/Index.html": b"a", "prepver2021/index.html": b"b"})
    return "prepver2021/index.html"


def zip_file_dir_conflict(dest: Path) -> str:
    write_zip(dest, {"prepver2021/json": b"a", "prepver2021/json/main.json": b"b"})
    return "prepver2021/json/main.json"


def zip_non_utf8(dest: Path) -> str:
    """Name bytes ``caf\\xe9`` (Latin-1) with the UTF-8 flag unset."""
    write_zip(dest, {"prepver2021/cafX.csv": b"x"})
    data = dest.read_bytes().replace(b"cafX.csv", b"caf\xe9.csv")
    dest.write_bytes(data)
    return "prepver2021/caf"


def tar_non_utf8(dest: Path) -> str:
    name = "prepver2021/caf\udce9.csv"
    write_tar_gz(dest, [(tar_info(name, b"x"), b"x")])
    return "prepver2021/caf\\xe9.csv"


def zip_big_entry(dest: Path) -> str:
    """2 KB of random-ish data: over ``Limits(max_entry_bytes=1000)``."""
    write_zip(dest, {"prepver2021/big.csv": hashlib.sha512(b"x").digest() * 32})
    return "prepver2021/big.csv"


def tar_big_total(dest: Path) -> str:
    """Three 600-byte files: over ``Limits(max_total_bytes=1500)`` at the third."""
    blob = bytes(range(200)) * 3
    names = [f"prepver2021/f{i}.csv" for i in range(3)]
    write_tar_gz(dest, [(tar_info(name, blob), blob) for name in names])
    return names[-1]


def zip_lying_header(dest: Path) -> str:
    """A stored entry whose headers declare 10 bytes while 4000 follow."""
    name = "prepver2021/liar.csv"
    data = bytes(range(250)) * 16
    write_zip(dest, {name: data}, deflate=False)
    raw = bytearray(dest.read_bytes())
    size = len(data).to_bytes(4, "little")
    for offset in _all(raw, b"PK\x03\x04", 22) + _all(raw, b"PK\x01\x02", 24):
        assert raw[offset : offset + 4] == size
        raw[offset : offset + 4] = (10).to_bytes(4, "little")
    dest.write_bytes(bytes(raw))
    return name


def _all(raw: bytearray, signature: bytes, field: int) -> list[int]:
    found, start = [], 0
    while (at := raw.find(signature, start)) >= 0:
        found.append(at + field)
        start = at + 1
    return found


def zip_bomb(dest: Path) -> str:
    write_zip(dest, {"prepver2021/index.html": b"ok", "prepver2021/bomb.csv": b"\0" * (8 << 20)})
    return "prepver2021/bomb.csv"


def tar_bomb(dest: Path) -> str:
    write_tar_gz(dest, [(tar_info("prepver2021/bomb.csv", b"\0" * (8 << 20)), b"\0" * (8 << 20))])
    return "prepver2021/bomb.csv"


def zip_many_entries(dest: Path) -> str:
    """Twelve entries: over ``Limits(max_entries=10)``."""
    write_zip(dest, {f"prepver2021/f{i:02}.json": b"{}" for i in range(12)})
    return "prepver2021/f10.json"


def zip_truncated(dest: Path) -> str:
    write_zip(dest, SITE_V1)
    dest.write_bytes(dest.read_bytes()[:-40])
    return ""


def zip_crc_error(dest: Path) -> str:
    name = "prepver2021/json/main.json"
    write_zip(dest, {name: b'{"horaCorte": "x"}'}, deflate=False)
    dest.write_bytes(dest.read_bytes().replace(b"horaCorte", b"horaCorta"))
    return name


def tar_truncated(dest: Path) -> str:
    blob = bytes(range(256)) * 64
    write_tar_gz(dest, [(tar_info("prepver2021/a.csv", blob), blob)])
    dest.write_bytes(dest.read_bytes()[: dest.stat().st_size // 2])
    return ""


def tar_crc_error(dest: Path) -> str:
    tar_files(dest, SITE_V1)
    raw = bytearray(dest.read_bytes())
    raw[-8] ^= 0xFF  # the gzip trailer's CRC-32
    dest.write_bytes(bytes(raw))
    return ""


def zip_nested_too_deep(dest: Path) -> str:
    deepest = io.BytesIO()
    with zipfile.ZipFile(deepest, "w") as zf:
        zf.writestr("x.csv", b"x")
    zip_of_zips(dest, {"PREP_DIP.zip": {"deeper.zip": deepest.getvalue()}})
    return "PREP_DIP.zip!deeper.zip"


def unknown_format(dest: Path) -> str:
    dest.write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\0" * 100)
    return ""


DEFAULT = Limits()
SMALL = Limits(max_entries=10, max_entry_bytes=1000, max_total_bytes=1500)

BAD_KINDS: dict[str, tuple[Callable[[Path], str], str, Limits]] = {
    # kind: (builder, words the message must contain, limits to read it with)
    "zip-traversal": (_zip("prepver2021/../../evil.txt"), "intenta salir de la carpeta", DEFAULT),
    "tar-traversal": (_tar("../evil.txt"), "intenta salir de la carpeta", DEFAULT),
    "zip-absolute": (_zip("/etc/evil.txt"), "ruta absoluta", DEFAULT),
    "tar-absolute": (_tar("/tmp/evil.txt"), "ruta absoluta", DEFAULT),
    "zip-drive-letter": (_zip("C:/evil.txt"), "letra de unidad", DEFAULT),
    "zip-backslash": (_zip("prepver2021\\..\\evil.txt"), "diagonal invertida", DEFAULT),
    "zip-symlink": (zip_symlink, "enlace simbólico", DEFAULT),
    "tar-symlink": (_tar("prepver2021/link", tarfile.SYMTYPE), "enlace simbólico", DEFAULT),
    "tar-hardlink": (_tar("prepver2021/hard", tarfile.LNKTYPE), "enlace duro", DEFAULT),
    "zip-device": (zip_device, "dispositivo", DEFAULT),
    "tar-device": (_tar("prepver2021/dev", tarfile.CHRTYPE), "dispositivo", DEFAULT),
    "tar-fifo": (_tar("prepver2021/fifo", tarfile.FIFOTYPE), "FIFO", DEFAULT),
    "zip-duplicate": (zip_duplicate, "repetida", DEFAULT),
    "tar-duplicate": (tar_duplicate, "repetida", DEFAULT),
    "zip-case-collision": (zip_case_collision, "mayúsculas y minúsculas", DEFAULT),
    "zip-file-dir-conflict": (zip_file_dir_conflict, "como archivo y como carpeta", DEFAULT),
    "zip-non-utf8": (zip_non_utf8, "no está en UTF-8", DEFAULT),
    "tar-non-utf8": (tar_non_utf8, "no es UTF-8 válido", DEFAULT),
    "zip-entry-too-big": (zip_big_entry, "límite por archivo", SMALL),
    "tar-total-too-big": (tar_big_total, "límite del paquete", SMALL),
    "zip-lying-header": (zip_lying_header, "dañado", DEFAULT),
    "zip-bomb": (zip_bomb, "bomba de compresión", DEFAULT),
    "tar-bomb": (tar_bomb, "bomba de compresión", DEFAULT),
    "zip-too-many-entries": (zip_many_entries, "más de 10 archivos y carpetas", SMALL),
    "zip-truncated": (zip_truncated, "el zip está incompleto o dañado", DEFAULT),
    "zip-crc-error": (zip_crc_error, "CRC", DEFAULT),
    "tar-truncated": (tar_truncated, "el tar.gz está incompleto o dañado", DEFAULT),
    "tar-crc-error": (tar_crc_error, "CRC", DEFAULT),
    "zip-nested-too-deep": (zip_nested_too_deep, "comprimido anidado", DEFAULT),
    "unknown-format": (unknown_format, "no es zip ni tar.gz", DEFAULT),
}
