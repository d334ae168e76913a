"""The checklist: one test per (difusor, id a checklist run measures), from the catalogue.

Each test runs the id's registered evaluator (``prepcheck.checks.registry``) on the difusor
under test and records its result; the evaluator never raises (an observation that could not
be made is ``error`` naming it). Ids come in catalogue order, so the ``ingest.*`` rehearsals,
which change what the difusor publishes, run after every other check of a difusor.
"""

from prepcheck.checks.registry import evaluate


def test_check(check_id, target, recorder):
    recorder(evaluate(check_id, target))
