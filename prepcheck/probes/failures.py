"""One Spanish phrasing table for everything that can go wrong while talking to a site.

Contract: ``describe`` (Python/httpx exceptions), ``describe_curl`` (libcurl codes) and
``describe_browser`` (chromium's ``net::ERR_…`` and Playwright messages) each return a
``Failure``: a ``kind`` evaluators may branch on, a plain es-MX ``reason`` with no system text
in it, and the raw system text as ``detail`` (sanitized) for the evidence. They never raise.

Kinds: ``refused``, ``reset``, ``dns``, ``unreachable``, ``tls``, ``certificate``,
``timeout``, ``deadline``, ``protocol``, ``too-large``, ``decoding``, ``redirect``,
``json``, ``crashed``, ``memory``, ``breaker``, ``unexpected``.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl
import sys
from dataclasses import dataclass

from prepcheck.snapshots.text import clean_text


@dataclass(frozen=True)
class Failure:
    """What went wrong: ``kind`` (see the module contract), Spanish ``reason``, raw ``detail``."""

    kind: str
    reason: str
    detail: str = ""


class DeadlineExceeded(TimeoutError):
    """A request passed its total deadline (``seconds`` from its start, ``phase`` it was in)."""

    def __init__(self, seconds: float, phase: str) -> None:
        super().__init__(f"deadline of {seconds:g} s passed while waiting for the {phase}")
        self.seconds = seconds
        self.phase = phase


class BodyTooLarge(Exception):
    """A decoded body passed its byte cap."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"decoded body exceeds {limit} bytes")
        self.limit = limit


# -- certificates -----------------------------------------------------------------------------

_CERT_CODES = {
    10: "el certificado del sitio venció",
    9: "el certificado del sitio todavía no es válido",
    18: "el certificado del sitio es autofirmado",
    19: "la cadena del certificado termina en una autoridad que no es de confianza",
    20: "el certificado lo emitió una autoridad que no es de confianza",
    21: "el certificado lo emitió una autoridad que no es de confianza",
    62: "el certificado no corresponde al nombre del sitio",
}


def _certificate(exc: ssl.SSLCertVerificationError) -> str:
    code = getattr(exc, "verify_code", None)
    return _CERT_CODES.get(code or -1, "el certificado del sitio no es válido")


# -- Python and httpx exceptions --------------------------------------------------------------


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it wraps (httpx wraps httpcore wraps the OS error)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 8:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _seconds(value: float | None) -> str:
    return f" en {value:g} s" if value else ""


def describe(exc: BaseException, *, timeout_s: float | None = None) -> Failure:
    """The Spanish reason for ``exc``; see the module contract.

    The most specific cause wins: an operating-system or TLS error anywhere in the chain (a
    refused connection under httpx's generic ``ConnectError``) before httpx's own kinds."""
    detail = clean_text(f"{type(exc).__name__}: {exc}")
    chain = _chain(exc)
    for classify in (_specific, _general):
        for link in chain:
            found = classify(link, timeout_s)
            if found is not None:
                return Failure(found[0], found[1], detail)
    return Failure("unexpected", "falla inesperada al consultar el sitio", detail)


def _specific(exc: BaseException, timeout_s: float | None) -> tuple[str, str] | None:
    """Our own bounds, and the operating system's and TLS's own errors."""
    text = str(exc).lower()
    if isinstance(exc, DeadlineExceeded):
        if exc.phase == "headers":
            return "deadline", f"la respuesta no empezó dentro del plazo total de {exc.seconds:g} s"
        return "deadline", f"la respuesta no terminó de llegar en el plazo de {exc.seconds:g} s"
    if isinstance(exc, BodyTooLarge):
        return "too-large", f"la respuesta pasa de {exc.limit:,} bytes (límite de lectura)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "certificate", _certificate(exc)
    if isinstance(exc, ssl.SSLError):
        if "timed out" in text:
            return "timeout", f"el saludo TLS no terminó a tiempo{_seconds(timeout_s)}"
        return "tls", "el saludo TLS falló (el servidor no completó una conexión segura)"
    if isinstance(exc, ConnectionRefusedError):
        return "refused", "conexión rechazada: nada escucha en esa dirección y puerto"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return "reset", "el servidor cortó la conexión"
    if isinstance(exc, socket.gaierror):
        return "dns", "no se pudo resolver el nombre del servidor (DNS)"
    if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "unreachable", "no hay ruta de red hacia el servidor"
    return None


def _general(exc: BaseException, timeout_s: float | None) -> tuple[str, str] | None:
    """httpx's kinds, timeouts, and what parsing a site's data can raise."""
    text = str(exc).lower()
    if "handshake" in text and "timed out" in text:
        return "timeout", f"el saludo TLS no terminó a tiempo{_seconds(timeout_s)}"
    found = _httpx_kind(exc, text, timeout_s)
    if found is not None:
        return found
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout", f"tiempo de espera agotado{_seconds(timeout_s)}"
    if isinstance(exc, RecursionError):
        return "json", "el documento tiene un anidamiento excesivo"
    if isinstance(exc, UnicodeError):
        return "decoding", "el texto no está en una codificación válida"
    if isinstance(exc, MemoryError):
        return "too-large", "la respuesta es demasiado grande para leerla"
    return None


def _httpx_kind(exc: BaseException, text: str, timeout_s: float | None) -> tuple[str, str] | None:
    # An httpx exception exists only where httpx was imported: looking it up instead of
    # importing it keeps httpx (0.1 CPU-s) out of the processes that never use it, such as the
    # TLS scan's child.
    httpx = sys.modules.get("httpx")
    if httpx is None:
        return None
    if isinstance(exc, httpx.ConnectTimeout):
        return "timeout", f"el servidor no aceptó la conexión a tiempo{_seconds(timeout_s)}"
    if isinstance(exc, httpx.ReadTimeout):
        return "timeout", f"el servidor dejó de enviar datos{_seconds(timeout_s)}"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", f"tiempo de espera agotado{_seconds(timeout_s)}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        if "buffer too long" in text or "maximum size" in text or "too large" in text:
            return "too-large", "los encabezados de la respuesta son demasiado grandes"
        if "without sending complete" in text or "incomplete" in text:
            return "reset", "el servidor cerró la conexión antes de enviar la respuesta completa"
        if "without sending response" in text or "disconnected" in text:
            return "reset", "el servidor cerró la conexión sin responder"
        return "protocol", "el servidor respondió algo que no es HTTP válido"
    if isinstance(exc, httpx.DecodingError):
        return "decoding", "el cuerpo comprimido de la respuesta no se pudo descomprimir"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "redirect", "la dirección no es una página web válida (http o https)"
    if isinstance(exc, httpx.ConnectError):
        return "refused", "no se pudo conectar con el servidor"
    if isinstance(exc, httpx.TransportError):
        return "reset", "la conexión con el servidor falló"
    return None


# -- libcurl ------------------------------------------------------------------------------------

_CURL: dict[int, tuple[str, str]] = {
    6: ("dns", "no se pudo resolver el nombre del servidor (DNS)"),
    7: ("refused", "no se pudo conectar: nada escucha en esa dirección y puerto"),
    8: ("protocol", "el servidor respondió algo que no es HTTP válido"),
    16: ("protocol", "error en la conexión HTTP/2"),
    18: ("reset", "el servidor cerró la conexión antes de enviar el archivo completo"),
    35: ("tls", "el saludo TLS falló (el servidor no completó una conexión segura)"),
    52: ("reset", "el servidor cerró la conexión sin responder"),
    55: ("reset", "el servidor cortó la conexión al enviarle la solicitud"),
    56: ("reset", "el servidor cortó la conexión al recibir la respuesta"),
    60: ("certificate", "el certificado del sitio no es de confianza o no es válido"),
    61: ("decoding", "el cuerpo comprimido no se pudo descomprimir"),
    63: ("too-large", "el archivo es más grande que el límite de lectura"),
    92: ("protocol", "error en un flujo HTTP/2"),
    100: ("too-large", "los encabezados de la respuesta son demasiado grandes"),
}


def describe_curl(code: int, message: str, timeout_s: float) -> Failure:
    """The Spanish reason for a libcurl error ``code`` (``message`` kept as ``detail``)."""
    detail = clean_text(f"libcurl {code}: {message or 'sin detalle'}")
    if code == 28:
        return Failure("timeout", f"el archivo no terminó de llegar en {timeout_s:g} s", detail)
    kind, reason = _CURL.get(code, ("unexpected", f"error de transferencia (código {code})"))
    return Failure(kind, reason, detail)


# -- chromium -----------------------------------------------------------------------------------

_NET_ERRORS: dict[str, tuple[str, str]] = {
    "CONNECTION_REFUSED": ("refused", "conexión rechazada: nada escucha en esa dirección"),
    "CONNECTION_RESET": ("reset", "el servidor cortó la conexión"),
    "CONNECTION_CLOSED": ("reset", "el servidor cerró la conexión"),
    "EMPTY_RESPONSE": ("reset", "el servidor cerró la conexión sin responder"),
    "NAME_NOT_RESOLVED": ("dns", "no se pudo resolver el nombre del servidor (DNS)"),
    "NAME_RESOLUTION_FAILED": ("dns", "no se pudo resolver el nombre del servidor (DNS)"),
    "ADDRESS_UNREACHABLE": ("unreachable", "no hay ruta de red hacia esa dirección"),
    "INTERNET_DISCONNECTED": ("unreachable", "este equipo no tiene conexión a la red"),
    "NETWORK_ACCESS_DENIED": ("unreachable", "el sistema impidió la conexión (cortafuegos)"),
    "CONNECTION_FAILED": ("unreachable", "no se pudo conectar con el servidor"),
    "UNSAFE_PORT": (
        "unreachable",
        "el navegador no abre páginas en ese puerto: lo bloquea por seguridad (revise el "
        "puerto de la dirección; los sitios públicos usan el 443)",
    ),
    "TIMED_OUT": ("timeout", "el servidor no respondió a tiempo"),
    "CONNECTION_TIMED_OUT": ("timeout", "el servidor no aceptó la conexión a tiempo"),
    "SSL_PROTOCOL_ERROR": ("tls", "el saludo TLS falló (conexión segura no establecida)"),
    "SSL_VERSION_OR_CIPHER_MISMATCH": ("tls", "el servidor no ofrece una versión TLS aceptable"),
    "TOO_MANY_REDIRECTS": ("redirect", "demasiadas redirecciones (posible bucle)"),
    "UNSAFE_REDIRECT": ("redirect", "redirección a una dirección que no es una página web"),
    "UNKNOWN_URL_SCHEME": ("redirect", "redirección a una dirección que no es una página web"),
    "INVALID_REDIRECT": ("redirect", "redirección a una dirección no válida"),
    "INVALID_URL": ("redirect", "dirección no válida"),
    "ABORTED": ("redirect", "la navegación se interrumpió (el sitio la desvió o canceló)"),
    "INVALID_RESPONSE": ("protocol", "el servidor respondió algo que no es HTTP válido"),
    "INVALID_HTTP_RESPONSE": ("protocol", "el servidor respondió algo que no es HTTP válido"),
    "RESPONSE_HEADERS_TOO_BIG": ("too-large", "los encabezados de la respuesta son enormes"),
    "CONTENT_LENGTH_MISMATCH": ("reset", "la respuesta llegó incompleta (Content-Length falso)"),
    "INCOMPLETE_CHUNKED_ENCODING": ("reset", "la respuesta llegó incompleta"),
    "CONTENT_DECODING_FAILED": ("decoding", "el cuerpo comprimido no se pudo descomprimir"),
    "BLOCKED_BY_RESPONSE": ("protocol", "el navegador bloqueó la respuesta del servidor"),
    "HTTP2_PROTOCOL_ERROR": ("protocol", "error en la conexión HTTP/2"),
}
_NET_CODE = re.compile(r"net::ERR_([A-Z0-9_]+)")


def describe_browser(message: str, *, timeout_s: float | None = None) -> Failure:
    """The Spanish reason for a Playwright/chromium error message."""
    detail = clean_text(message.split("\n", 1)[0])
    match = _NET_CODE.search(message)
    if match is not None:
        code = match.group(1)
        if code.startswith("CERT_"):
            return Failure("certificate", "el navegador rechazó el certificado del sitio", detail)
        if code.startswith(("SSL_", "BAD_SSL_")) and code not in _NET_ERRORS:
            return Failure("tls", "el saludo TLS falló (conexión segura no establecida)", detail)
        kind, reason = _NET_ERRORS.get(code, ("unexpected", f"error de red del navegador ({code})"))
        return Failure(kind, reason, detail)
    lowered = message.lower()
    if "crash" in lowered:
        return Failure("crashed", "el proceso del navegador que mostraba la página cayó", detail)
    if "timeout" in lowered and "exceeded" in lowered:
        return Failure("timeout", f"la página no respondió a tiempo{_seconds(timeout_s)}", detail)
    if "closed" in lowered:
        return Failure("crashed", "el navegador cerró la página antes de terminar", detail)
    return Failure("unexpected", "falla inesperada del navegador con esta página", detail)
