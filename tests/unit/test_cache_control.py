"""The Cache-Control parser and the convocatoria's main.json policy."""

import pytest

from prepcheck.checks.headers.cache_control import evaluate_main_json_policy, parse


def test_parse_tokens_values_and_quotes():
    parsed = parse('No-Cache="Set-Cookie, X-Foo", max-age=0 ,  must-revalidate, private')
    assert parsed.names() == ["no-cache", "max-age", "must-revalidate", "private"]
    assert parsed.value("no-cache") == "Set-Cookie, X-Foo"
    assert parsed.value("max-age") == "0"
    assert parsed.malformed == ()


def test_parse_escaped_quote_and_malformed_fragment():
    parsed = parse(r'community="a\"b", =oops, no-store')
    assert parsed.value("community") == 'a"b'
    assert parsed.malformed == ("=oops",)


@pytest.mark.parametrize(
    "value",
    [
        "no-cache, no-store, must-revalidate",
        "must-revalidate,no-store,no-cache",
        "NO-CACHE, No-Store, MUST-REVALIDATE",
        "no-cache, no-store, must-revalidate, max-age=0",
        "no-cache, no-store, must-revalidate, private",
        "no-cache, no-store, must-revalidate, proxy-revalidate, s-maxage=0",
    ],
)
def test_policy_passes(value):
    assert evaluate_main_json_policy(value).passed


@pytest.mark.parametrize(
    ("value", "outcome", "detail"),
    [
        (None, "cache-control-missing", ("no-cache", "no-store", "must-revalidate")),
        ("no-cache, no-store", "cache-control-directives-missing", ("must-revalidate",)),
        (
            "max-age=300",
            "cache-control-directives-missing",
            ("no-cache", "no-store", "must-revalidate"),
        ),
        ("no-cache, no-store, must-revalidate, public", "cache-control-contradiction", ("public",)),
        (
            "no-cache, no-store, must-revalidate, max-age=600",
            "cache-control-contradiction",
            ("max-age=600",),
        ),
        (
            "no-cache, no-store, must-revalidate, immutable",
            "cache-control-contradiction",
            ("immutable",),
        ),
        (
            "no-cache, no-store, must-revalidate, stale-while-revalidate=30",
            "cache-control-contradiction",
            ("stale-while-revalidate=30",),
        ),
        (
            "no-cache, no-store, must-revalidate, max-age",
            "cache-control-contradiction",
            ("max-age",),
        ),
        ('no-cache, no-store, must-revalidate, "broken', "cache-control-malformed", ('"broken',)),
    ],
)
def test_policy_failures(value, outcome, detail):
    verdict = evaluate_main_json_policy(value)
    assert verdict.outcome == outcome
    assert not verdict.passed
    assert (verdict.missing or verdict.contradicting) == detail


def test_repeated_header_fields_join_as_one_list():
    # Two fields "no-cache" and "no-store, must-revalidate" arrive joined by the probe.
    assert evaluate_main_json_policy("no-cache, no-store, must-revalidate").passed


def test_qualified_no_cache_does_not_count():
    # no-cache="Set-Cookie" only guards that field; the rest of the response may be reused.
    verdict = evaluate_main_json_policy('no-cache="Set-Cookie", no-store, must-revalidate')
    assert verdict.outcome == "cache-control-directives-missing"
    assert verdict.missing == ("no-cache",)


def test_repeated_max_age_counts_every_occurrence():
    verdict = evaluate_main_json_policy(
        "no-cache, no-store, must-revalidate, max-age=0, max-age=600"
    )
    assert verdict.outcome == "cache-control-contradiction"
    assert verdict.contradicting == ("max-age=600",)


def test_whitespace_and_case_around_equals_and_commas():
    parsed = parse("  MAX-AGE = 0 ,,NO-STORE  ")
    assert parsed.names() == ["max-age", "no-store"]
    assert parsed.value("max-age") == "0"
