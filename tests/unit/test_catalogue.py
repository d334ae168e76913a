"""The catalogue is the one source of truth: suites, checklist spec and README follow it."""

import re
from pathlib import Path

import pytest

from prepcheck.catalogue import ALIASES, CATALOGUE, GROUP_TITLES, RUN_IDS, Severity, spec
from prepcheck.docs import CATALOGUE_BEGIN, CATALOGUE_END, catalogue_markdown

ROOT = Path(__file__).resolve().parents[2]
CHECKLIST = ROOT.parent / "shared" / "checklist.md"
SUITES = ROOT / "prepcheck" / "checklist" / "suites"


def test_the_checklist_session_measures_exactly_the_run_ids_in_catalogue_order():
    run_ids = [cid for cid, check in CATALOGUE.items() if check.measured_by == "run"]
    assert list(RUN_IDS) == run_ids
    # ingest rehearsals change what the difusor publishes: nothing may be measured after them
    assert [cid for cid in RUN_IDS if cid.startswith("ingest.")] == list(RUN_IDS[-2:])


def test_the_suite_names_no_id():
    """No id is typed twice: the one suite file is parametrized from the catalogue."""
    suite = (SUITES / "test_checklist.py").read_text(encoding="utf-8")
    assert not [cid for cid in CATALOGUE if cid in suite]
    assert sorted(p.name for p in SUITES.glob("test_*.py")) == ["test_checklist.py"]


def test_every_command_named_by_the_catalogue_exists():
    from prepcheck.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for check in CATALOGUE.values():
        assert check.measured_by in commands, check.id
        assert check.command.startswith(f"prepcheck {check.measured_by} "), check.id


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
