"""HTTP header checks (checklist: headers.*)."""

import pytest

from prepcheck.checks.headers import (
    ACCEPT_ENCODING,
    MIN_COMPRESSIBLE_BYTES,
    evaluate_compression,
    evaluate_hsts,
    evaluate_main_json_cache_control,
    evaluate_main_json_content_type,
    evaluate_main_json_not_cached,
    evaluate_security,
)
from prepcheck.probes.cache_probe import probe_main_json_caching


@pytest.mark.check("headers.main-json-cache-control")
def test_main_json_forbids_caching(difusor, record):
    record(evaluate_main_json_cache_control(difusor.get(difusor.main_json_url)))


@pytest.mark.check("headers.main-json-not-cached")
def test_main_json_not_served_from_a_cache(difusor, record):
    pause = difusor.difusor.transport.cache_probe_seconds
    sequence = probe_main_json_caching(difusor.get_fresh, difusor.main_json_url, pause_s=pause)
    record(evaluate_main_json_not_cached(sequence))


@pytest.mark.check("headers.main-json-content-type")
def test_main_json_content_type(difusor, record):
    record(evaluate_main_json_content_type(difusor.get(difusor.main_json_url)))


@pytest.mark.check("headers.hsts")
def test_hsts(difusor, record):
    record(evaluate_hsts(difusor.get(difusor.folder_url)))


@pytest.mark.check("headers.security")
def test_security_headers(difusor, record):
    record(
        evaluate_security(
            difusor.get(difusor.folder_url),
            site_url=difusor.base_url,
            embed_url=difusor.difusor.embed_url,
        )
    )


def _sample_file(official, suffix: str) -> str | None:
    """A package file of that kind, big enough to compress (the smallest such, to stay cheap)."""
    if official is None or not official.usable:
        return None
    folder = official.folder + "/"
    sized = [
        e for e in official.manifest if e.path.endswith(suffix) and e.size >= MIN_COMPRESSIBLE_BYTES
    ]
    best = min(sized, key=lambda e: e.size, default=None)
    return best.path.removeprefix(folder) if best else None


@pytest.mark.check("headers.compression")
def test_compression(difusor, official, record):
    urls = {"html": difusor.folder_url, "json": difusor.main_json_url}
    for kind, suffix in (("json", ".json"), ("csv", ".csv")):
        relative = _sample_file(official, suffix)
        if relative is not None:
            urls[kind] = difusor.folder_url + relative
    snapshots = {
        kind: difusor.get(url, headers=dict(ACCEPT_ENCODING)) for kind, url in urls.items()
    }
    record(evaluate_compression(snapshots))
