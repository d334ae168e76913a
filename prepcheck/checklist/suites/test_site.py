"""Site and publication checks (checklist: site.*)."""

import pytest

from prepcheck.archive.official import precondition_error
from prepcheck.checks.site import (
    evaluate_https_redirect,
    evaluate_no_directory_listing,
    evaluate_public_folder,
    evaluate_reachable,
    evaluate_server_software,
    plain_http_url,
)
from prepcheck.results import error


@pytest.mark.check("site.reachable")
def test_site_reachable(difusor, record):
    record(evaluate_reachable(difusor.chain(difusor.base_url)))


@pytest.mark.check("site.public-folder")
def test_public_folder_serves_index(difusor, official, record):
    check = "site.public-folder"
    blocked = precondition_error(check, official)
    if blocked is not None:
        record(blocked)
        return
    expected = official.read("index.html")
    if expected is None:
        record(error(check, f"el paquete oficial no tiene {difusor.election.folder}/index.html"))
        return
    record(
        evaluate_public_folder(difusor.get(difusor.folder_url), expected, difusor.election.folder)
    )


@pytest.mark.check("site.https-redirect")
def test_https_redirect(difusor, record):
    url = plain_http_url(difusor.base_url, difusor.difusor.http_url)
    record(evaluate_https_redirect(difusor.get(url), difusor.base_url))


def _folders_without_index(official, limit: int = 3) -> list[str]:
    """Folders of the package (relative to the election folder) that hold no index.html."""
    if official is None or not official.usable:
        return ["json/"]
    prefix = official.folder + "/"
    paths = [e.path.removeprefix(prefix) for e in official.manifest if e.path.startswith(prefix)]
    folders = {p.rsplit("/", 1)[0] + "/" for p in paths if "/" in p}
    with_index = {p.removesuffix("index.html") for p in paths if p.endswith("index.html")}
    return sorted(folders - with_index, key=lambda f: (f.count("/"), f))[:limit] or ["json/"]


@pytest.mark.check("site.no-directory-listing")
def test_no_directory_listing(difusor, official, record):
    urls = [difusor.folder_url + folder for folder in _folders_without_index(official)]
    record(evaluate_no_directory_listing([difusor.get(url) for url in urls]))


@pytest.mark.check("site.server-software")
def test_server_software(difusor, record):
    missing = difusor.folder_url + "prepcheck-no-existe-404.html"
    snapshots = [difusor.get(difusor.folder_url), difusor.get(missing)]
    declared = difusor.difusor.transport.declared_server_software
    record(evaluate_server_software(snapshots, declared))
