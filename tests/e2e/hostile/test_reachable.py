"""``site.reachable`` judges the address citizens are sent to, on the hostile site's variants.

A sound difusor whose bare root has no index (nginx answers 403, Apache 404) passes when its
election folder is public; one whose folder sends citizens to a sign-in page fails; the root
is evidence only.
"""

from __future__ import annotations

import pytest

from prepcheck.checks.site import evaluate_reachable
from prepcheck.probes.http import fetch_following, make_client
from prepcheck.results import Status

from .conftest import assert_plain_spanish


@pytest.fixture(scope="module")
def judge(hostile):
    with make_client(hostile.ca.cert_path, 5.0) as client:

        def reachable(behaviour: str):
            entry = fetch_following(client, hostile.folder(behaviour))
            root = fetch_following(client, hostile.base(behaviour))
            return evaluate_reachable(entry, root)

        yield reachable


@pytest.mark.parametrize("behaviour", ["sano", "raiz-403", "raiz-404"])
def test_a_public_folder_passes_whatever_its_root_answers(judge, behaviour):
    result = judge(behaviour)
    assert result.status is Status.PASS, result.message
    assert "raiz_del_sitio" in result.evidence


@pytest.mark.parametrize(
    "behaviour",
    ["login", "carpeta-404", "otro-host", "redir-mailto", "redir-javascript", "redireccion-bucle"],
)
def test_a_folder_citizens_cannot_read_fails(judge, behaviour):
    result = judge(behaviour)
    assert result.status is Status.FAIL, result.message
    assert_plain_spanish(result.message)


def test_a_sign_in_redirect_is_named_as_such(judge):
    assert "página de acceso" in judge("login").message


def test_a_folder_that_does_not_answer_is_an_error_in_spanish(judge):
    result = judge("tls-sin-encabezados")
    assert result.status is Status.ERROR
    assert_plain_spanish(result.message)
