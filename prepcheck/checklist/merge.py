"""``prepcheck merge``: several output folders (shards of one run) into one board and set of
reports, the convention of Playwright's ``--shard`` and merge-reports.

Contract: every ``<input>/<difusor>/`` holding a valid results.json is copied whole into
``OUT/<difusor>/`` (results.json, report, technical report, memoria, load files, incidents);
when the same difusor appears in several inputs, the most recently finished one wins. Every
copied report is re-rendered from its results.json and the board is rewritten. An input that
is not a folder, or a folder with no results at all, is a ``UsageError`` naming it.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from prepcheck.errors import UsageError
from prepcheck.outputs import RESULTS_NAME, render
from prepcheck.results import Verdict, read_document


def merge_outputs(inputs: Sequence[Path], out_dir: Path) -> list[Path]:
    """Merge ``inputs`` into ``out_dir`` (see the module contract); returns the results paths."""
    chosen: dict[str, tuple[str, Path]] = {}
    for folder in inputs:
        if not folder.is_dir():
            raise UsageError(f"{folder}: no es una carpeta de resultados")
        found = sorted(folder.glob(f"*/{RESULTS_NAME}"))
        if not found:
            raise UsageError(f"{folder}: no contiene resultados (*/{RESULTS_NAME})")
        for path in found:
            document = read_document(path)  # ResultsFileError says what is wrong with it
            name = str(document["difusor"])
            if name not in chosen or document["finished_at"] > chosen[name][0]:
                chosen[name] = (str(document["finished_at"]), path.parent)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (_, source) in sorted(chosen.items()):
        target = out_dir / name
        if source.resolve() != target.resolve():
            shutil.copytree(source, target, dirs_exist_ok=True)
        written.append(target / RESULTS_NAME)
    for path in written:
        render(out_dir, path)
    return written


def verdicts_of(paths: Sequence[Path]) -> list[Verdict]:
    """The verdicts of merged results (``ResultsFileError`` for one that cannot be read)."""
    return [Verdict(read_document(path)["verdict"]) for path in paths]
