"""``tomllib``'s syntax errors, said in Spanish with their line and column.

Contract: :func:`toml_error` returns a Spanish sentence for a ``TOMLDecodeError`` of the
standard library's parser ("línea 3, columna 7: falta `=` después de la clave"); a message
this table does not know is reported as a generic syntax error at its position, never in
English.
"""

from __future__ import annotations

import ast
import re
import tomllib

_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")
_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Invalid statement", "instrucción no válida (se esperaba `clave = valor`, `[tabla]` o"
     " `[[tabla]]`)"),
    (r"Expected newline or end of document after a statement",
     "sobra texto después del valor (¿faltan comillas, o un `#` para el comentario?)"),
    (r"Expected '=' after a key in a key/value pair", "falta `=` después de la clave"),
    (r"Expected ']' at the end of a table declaration", "falta `]` al final del encabezado"),
    (r"Expected ']]' at the end of an array declaration", "falta `]]` al final del encabezado"),
    (r"Expected (.+)", "se esperaba {0}"),
    (r"Found invalid character (.+)", "carácter no válido {0}"),
    (r"Cannot declare (.+) twice", "la tabla `{0}` se declara dos veces"),
    (r"Cannot overwrite a value", "una clave o tabla se define dos veces"),
    (r"Cannot mutate immutable namespace (.+)",
     "no se puede ampliar `{0}`: ya se definió completa (tabla en línea o lista)"),
    (r"Cannot redefine namespace (.+)", "no se puede redefinir `{0}`"),
    (r"Invalid initial character for a key part",
     "carácter no válido al inicio de una clave (¿faltan comillas en el valor?)"),
    (r"Unclosed array", "lista sin cerrar (falta `]`)"),
    (r"Duplicate inline table key (.+)", "clave repetida en la tabla en línea: {0}"),
    (r"Unclosed inline table", "tabla en línea sin cerrar (falta `}}`)"),
    (r"Unescaped '\\' in a string",
     "barra invertida `\\` sin escapar en un texto (escriba `\\\\` o use comillas simples)"),
    (r"Invalid hex value", "secuencia de escape hexadecimal no válida en un texto"),
    (r"Escaped character is not a Unicode scalar value",
     "la secuencia de escape no es un carácter Unicode válido"),
    (r"Unterminated string", "texto sin cerrar (falta la comilla final)"),
    (r"Illegal character (.+)", "carácter no permitido {0} en un texto"),
    (r"Invalid date or datetime", "fecha u hora no válida"),
    (r"Invalid value", "valor no válido (¿faltan comillas en un texto?)"),
)  # fmt: skip


def toml_error(exc: tomllib.TOMLDecodeError) -> str:
    """``"línea L, columna C: <qué falla>"`` for ``exc`` (see the module contract)."""
    text = str(exc)
    where = _WHERE.search(text)
    message = text[: where.start()] if where else text
    if where is None:
        place = "TOML no válido"
    elif where.group(1):
        place = f"línea {where.group(1)}, columna {where.group(2)}"
    else:
        place = "al final del archivo"
    for pattern, spanish in _MESSAGES:
        match = re.fullmatch(pattern, message)
        if match:
            return f"{place}: {spanish.format(*map(_key, match.groups()))}"
    return f"{place}: error de sintaxis TOML"


def _key(text: str) -> str:
    """``difusor.sftp`` for the parser's ``('difusor', 'sftp')``; other text unchanged."""
    if text.startswith("("):
        try:
            parts = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        if isinstance(parts, tuple):
            return ".".join(str(part) for part in parts)
    return text
