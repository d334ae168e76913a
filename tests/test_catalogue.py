"""The catalogue is the one source of truth: suites, checklist spec and README follow it."""

import ast
import re
from pathlib import Path

import pytest

from prepcheck.catalogue import ALIASES, CATALOGUE, GROUP_TITLES, Severity, spec
from prepcheck.docs import CATALOGUE_BEGIN, CATALOGUE_END, catalogue_markdown

ROOT = Path(__file__).resolve().parent.parent
CHECKLIST = ROOT.parent / "shared" / "checklist.md"


def suite_check_ids() -> list[tuple[str, str]]:
    """(check id, test name) for every @pytest.mark.check in suites/."""
    found = []
    for path in sorted((ROOT / "suites").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    if (
                        isinstance(decorator, ast.Call)
                        and ast.unparse(decorator.func) == "pytest.mark.check"
                    ):
                        found.append((decorator.args[0].value, f"{path.name}::{node.name}"))
    return found


def test_every_suite_test_names_a_catalogue_id_once():
    pairs = suite_check_ids()
    assert pairs, "no suite test found"
    ids = [check_id for check_id, _ in pairs]
    assert sorted(set(ids) - set(CATALOGUE)) == []
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_every_id_a_checklist_run_measures_has_a_suite_test():
    # The others are measured by load, monitor and selftest; a run records them not measured.
    run_ids = {cid for cid, check in CATALOGUE.items() if check.measured_by == "run"}
    assert sorted(run_ids - {check_id for check_id, _ in suite_check_ids()}) == []
    assert sorted({c for c, _ in suite_check_ids()} - run_ids) == []


def test_every_suite_test_function_is_marked():
    for path in sorted((ROOT / "suites").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                marks = [ast.unparse(d) for d in node.decorator_list]
                assert any("pytest.mark.check" in m for m in marks), f"{path.name}::{node.name}"


@pytest.mark.skipif(not CHECKLIST.exists(), reason="shared/checklist.md not beside the checkout")
def test_catalogue_covers_the_checklist_with_its_severity():
    rows = re.findall(
        r"^\| ([a-z0-9]+\.[a-z0-9-]+) \| ([^|]+) \| ([^|]+) \|",
        CHECKLIST.read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert len(rows) >= 40
    for check_id, severity, _clause in rows:
        assert check_id in CATALOGUE, check_id
        expected = (
            Severity.REQUIRED if severity.strip().startswith("required") else Severity.ADVISORY
        )
        assert CATALOGUE[check_id].severity is expected, check_id
        assert CATALOGUE[check_id].conditional == ("when configured" in severity), check_id


def test_catalogue_entries_are_complete():
    for check in CATALOGUE.values():
        assert check.title and check.fix and check.clause and check.group in GROUP_TITLES
    for old, new in ALIASES.items():
        assert spec(old).id == new


def test_unknown_id_is_named():
    with pytest.raises(KeyError, match=r"nope\.nothing"):
        spec("nope.nothing")


def test_readme_catalogue_is_in_sync():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    inside = readme.split(CATALOGUE_BEGIN)[1].split(CATALOGUE_END)[0].strip()
    assert inside == catalogue_markdown(), "run: prepcheck checks, and paste into README.md"
