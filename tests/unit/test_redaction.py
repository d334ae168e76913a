"""Secrets are masked as whole values, in every form, keeping the words around them."""

import base64
from urllib.parse import quote

from prepcheck.redaction import MASK, Redactor


def test_a_one_letter_secret_is_masked_only_where_it_stands_alone():
    redact = Redactor(["x"])
    assert redact("el servidor rechazó la conexión") == "el servidor rechazó la conexión"
    assert redact("clave x rechazada; usuario=x") == f"clave {MASK} rechazada; usuario={MASK}"


def test_base64_forms_of_a_one_letter_secret_and_of_user_and_secret():
    redact = Redactor(["x"], ["ople"])
    basic = base64.b64encode(b"ople:x").decode()
    assert basic not in redact(f"cabecera enviada: {basic}")
    assert redact(f"Authorization: Basic {basic}") == f"Authorization: Basic {MASK}"
    alone = base64.b64encode(b"x").decode()  # "eA==": short, masked where it stands alone
    assert redact(f"token {alone} enviado") == f"token {MASK} enviado"


def test_long_secrets_in_raw_and_url_encoded_forms_keep_the_words_around():
    secret = "S3cr3t/con espacio&más"
    redact = Redactor([secret], ["ople"])
    text = f"sftp://ople:{quote(secret, safe='')}@host falló; clave «{secret}» rechazada"
    masked = redact(text)
    assert secret not in masked and quote(secret, safe="") not in masked
    assert masked.startswith("sftp://ople:") and masked.endswith("» rechazada")


def test_authorization_headers_are_masked_whatever_their_token():
    redact = Redactor([])
    assert redact("Authorization: Bearer abc.def") == f"Authorization: Bearer {MASK}"
    assert redact("bearer abc.def, luego") == f"bearer {MASK}, luego"


def test_no_secret_masks_nothing():
    assert Redactor(["", ""])("nada que ocultar") == "nada que ocultar"
