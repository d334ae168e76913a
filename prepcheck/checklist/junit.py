"""JUnit XML from landed results: one testcase per check per difusor, for CI dashboards.

Contract: ``write_junit(documents, path)`` writes one ``<testsuite>`` per difusor (named by the
difusor) holding one ``<testcase>`` per catalogue id (``classname`` = the difusor, ``name`` =
the id and its Spanish title). ``fail`` is a ``<failure>``, ``error`` an ``<error>``,
``skipped`` and ``not_applicable`` are ``<skipped>``, each with the record's Spanish message;
``warn`` passes with the message in ``<system-out>`` (advisory checks never fail a build).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from prepcheck.results import STATUS_LABELS, Status

_ELEMENT = {
    Status.FAIL: "failure",
    Status.ERROR: "error",
    Status.SKIPPED: "skipped",
    Status.NOT_APPLICABLE: "skipped",
}


def junit_tree(documents: Sequence[Mapping[str, Any]]) -> ElementTree.Element:
    """The ``<testsuites>`` element of ``documents`` (see the module contract)."""
    suites = ElementTree.Element("testsuites", name="prepcheck")
    for document in documents:
        records = document["checks"]
        counts = document["counts"]
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=str(document["difusor"]),
            tests=str(len(records)),
            failures=str(counts["fail"]),
            errors=str(counts["error"]),
            skipped=str(counts["skipped"] + counts["not_applicable"]),
            timestamp=str(document["finished_at"]),
        )
        for record in records:
            _testcase(suite, str(document["difusor"]), record)
    return suites


def _testcase(suite: ElementTree.Element, difusor: str, record: Mapping[str, Any]) -> None:
    case = ElementTree.SubElement(
        suite, "testcase", classname=difusor, name=f"{record['id']} — {record['title']}"
    )
    status = Status(record["status"])
    text = f"{STATUS_LABELS[status]}: {record['message']}"
    element = _ELEMENT.get(status)
    if element is not None:
        ElementTree.SubElement(case, element, message=text).text = text
    elif status is Status.WARN:
        ElementTree.SubElement(case, "system-out").text = text


def write_junit(documents: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """Write the JUnit XML of ``documents`` at ``path`` (atomically)."""
    tree = ElementTree.ElementTree(junit_tree(documents))
    ElementTree.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tree.write(tmp, encoding="utf-8", xml_declaration=True)
    tmp.replace(path)
    return path
