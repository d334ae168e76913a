"""pydantic's validation errors, said in Spanish: what was expected, what was found.

Contract: :func:`explain` turns one pydantic error of a :class:`~prepcheck.config.Config`
validation into an :class:`~prepcheck.config.issues.Issue` whose message is Spanish (never
pydantic's English): the expectation (with the field's bounds or choices), the value found
and its kind, the closest known key for an unknown one. A
:class:`~prepcheck.config.base.Problem` raised by a validator keeps its own message, and its
``key`` extends the location.
"""

from __future__ import annotations

import difflib
import types
from datetime import datetime
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from prepcheck.config.base import PATTERN_TEXTS, Loc, Problem, shown
from prepcheck.config.issues import Issue

_SECRETS = ("password", "passphrase", "key_passphrase", "secret", "token")
_TABLE = "una tabla (una sección [nombre] o { … })"
_EXPECTED = {
    "int_type": "se esperaba un número entero, sin comillas",
    "int_parsing": "se esperaba un número entero, sin comillas",
    "int_from_float": "se esperaba un número entero (sin decimales)",
    "float_type": "se esperaba un número, sin comillas",
    "float_parsing": "se esperaba un número, sin comillas",
    "bool_type": "se esperaba true o false, sin comillas",
    "bool_parsing": "se esperaba true o false, sin comillas",
    "string_type": "se esperaba un texto entre comillas",
    "datetime_type": "se esperaba una fecha y hora sin comillas, p. ej. 2021-06-06T19:00:00",
    "datetime_parsing": "se esperaba una fecha y hora sin comillas, p. ej. 2021-06-06T19:00:00",
    "date_type": "se esperaba una fecha sin comillas, p. ej. 2027-05-23",
    "date_parsing": "se esperaba una fecha sin comillas, p. ej. 2027-05-23",
    "time_type": 'se esperaba una hora "HH:MM" (p. ej. "09:00")',
    "time_parsing": 'se esperaba una hora "HH:MM" (p. ej. "09:00")',
    "list_type": "se esperaba una lista [ … ]",
    "tuple_type": "se esperaba una lista [ … ]",
    "dict_type": f"se esperaba {_TABLE}",
    "model_type": f"se esperaba {_TABLE}",
    "model_attributes_type": f"se esperaba {_TABLE}",
    "string_too_short": "se esperaba un texto no vacío",
    "finite_number": "se esperaba un número finito",
}
_BOUNDS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def explain(error: ErrorDetails, root: type[BaseModel]) -> Issue:
    """One pydantic error of validating ``root`` as a Spanish issue (see module contract)."""
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        cause = ctx.get("error")
        if isinstance(cause, Problem):
            return Issue((*loc, *cause.key), str(cause))
        return Issue(loc, str(cause))  # the harness's validators all speak Spanish
    if kind == "extra_forbidden":
        return Issue(loc, _unknown_key(loc, root))
    if kind == "missing":
        return Issue(loc, _missing(loc, root))
    return Issue(loc, f"{_expected(kind, loc, ctx, root)}; se encontró {_found(error['input'])}")


def known_keys(loc: Loc, root: type[BaseModel]) -> list[str]:
    """The keys the model at ``loc`` accepts (empty when ``loc`` is not a table)."""
    model = _unwrap(_annotation_at(loc, root))
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _unknown_key(loc: Loc, root: type[BaseModel]) -> str:
    name = str(loc[-1])
    known = known_keys(loc[:-1], root)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    text = "clave desconocida"
    if close:
        text += f"; ¿quiso decir `{close[0]}`?"
    elif known:
        text += f"; aquí se aceptan: {', '.join(known)}"
    if any(word in name.lower() for word in _SECRETS):
        text += " (los secretos nunca van en el archivo: nombre la variable de entorno)"
    return text


def _missing(loc: Loc, root: type[BaseModel]) -> str:
    annotation = _annotation_at(loc, root)
    model = _unwrap(annotation)
    if get_origin(model) is list:
        return f"falta al menos una sección `[[{loc[-1]}]]`"
    if isinstance(model, type) and issubclass(model, BaseModel):
        return f"falta la sección `[{'.'.join(str(p) for p in loc)}]`"
    if model is datetime:
        return "falta esta clave obligatoria (una fecha y hora, p. ej. 2021-06-06T19:00:00)"
    if model is str:
        return "falta esta clave obligatoria (un texto entre comillas)"
    return "falta esta clave obligatoria"


def _expected(kind: str, loc: Loc, ctx: dict[str, Any], root: type[BaseModel]) -> str:
    if kind in _BOUNDS:
        return _bounded(loc, ctx, root)
    if kind == "list_type" and _is_table_list(_unwrap(_annotation_at(loc, root))):
        return f"se esperaban secciones `[[{loc[-1]}]]`, con doble corchete"
    if kind == "literal_error":
        choices = get_args(_unwrap(_annotation_at(loc, root)))
        listed = ", ".join(shown(choice) for choice in choices) or str(ctx.get("expected"))
        return f"se esperaba uno de: {listed}"
    if kind == "too_short":
        return f"se esperaba al menos {ctx.get('min_length')} elemento(s)"
    if kind == "too_long":
        return f"se esperaban como máximo {ctx.get('max_length')} elemento(s)"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        return f"se esperaba {PATTERN_TEXTS.get(pattern, f'un texto con la forma {pattern}')}"
    return _EXPECTED.get(kind, "valor no válido")


def _bounded(loc: Loc, ctx: dict[str, Any], root: type[BaseModel]) -> str:
    """ "se esperaba un número entero mayor que 0 y menor o igual que 300" from the field."""
    field = _field_at(loc, root)
    limits: list[str] = []
    for item in field.metadata if field else []:
        if isinstance(item, annotated_types.Gt):
            limits.append(f"mayor que {item.gt}")
        elif isinstance(item, annotated_types.Ge):
            limits.append(f"mayor o igual que {item.ge}")
        elif isinstance(item, annotated_types.Lt):
            limits.append(f"menor que {item.lt}")
        elif isinstance(item, annotated_types.Le):
            limits.append(f"menor o igual que {item.le}")
    if not limits:
        names = {"gt": "mayor que", "ge": "mayor o igual que", "lt": "menor que"}
        names["le"] = "menor o igual que"
        limits = [f"{names[key]} {value}" for key, value in ctx.items() if key in names]
    whole = _unwrap(field.annotation) is int if field else False
    return f"se esperaba un número{' entero' if whole else ''} {' y '.join(limits)}"


def _is_table_list(annotation: Any) -> bool:
    if get_origin(annotation) is not list:
        return False
    item = _unwrap(get_args(annotation)[0])
    return isinstance(item, type) and issubclass(item, BaseModel)


def _found(value: object) -> str:
    return f"{shown(value)} ({_kind(value)})"


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "booleano"
    if isinstance(value, int):
        return "número entero"
    if isinstance(value, float):
        return "número"
    if isinstance(value, str):
        return "texto"
    if isinstance(value, list | tuple):
        return "lista"
    if isinstance(value, dict):
        return "tabla"
    if hasattr(value, "isoformat"):
        return "fecha u hora"
    return type(value).__name__


def _field_at(loc: Loc, root: type[BaseModel]) -> FieldInfo | None:
    """The field of the model holding the last name of ``loc`` (None for list items)."""
    if not loc or not isinstance(loc[-1], str):
        return None
    parent = _unwrap(_annotation_at(loc[:-1], root))
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        return parent.model_fields.get(loc[-1])
    return None


def _annotation_at(loc: Loc, root: type[BaseModel]) -> Any:
    """The type expected at ``loc`` inside ``root`` (None when the path leaves the model)."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) in (list, tuple):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    return current


def _unwrap(annotation: Any) -> Any:
    """``X`` from ``Annotated[X, …]`` and from ``X | None``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            annotation = members[0] if members else None
        else:
            return annotation
