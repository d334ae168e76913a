"""Evaluators for the site.* checks: pure functions from snapshots to CheckResults."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from prepcheck.checks.registry import check
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.http import HttpSnapshot
from prepcheck.snapshots.observer import Observer, Unobserved
from prepcheck.snapshots.text import clean_text
from prepcheck.spanish import status_phrase

_LOGIN_STATUSES = {
    401: "requiere autenticación",
    402: "requiere pago",
    407: "requiere autenticación de proxy",
}
#: Words in a redirect target that mean a sign-in, registration or payment page.
_SIGN_IN = re.compile(
    r"log-?in|sign-?in|sign-?on|sso|auth|oauth|iniciar-?sesion|inicio-?de-?sesion|acceso|"
    r"ingresar|registro|suscri|paywall|cuenta|account",
    re.IGNORECASE,
)
_PASSWORD_FIELD = re.compile(rb"<input[^>]{0,400}type\s*=\s*[\"']?password", re.IGNORECASE)
_REDIRECTS = (301, 302, 303, 307, 308)


def _chain_evidence(chain: list[HttpSnapshot]) -> dict[str, object]:
    return {"saltos": [hop.summary() for hop in chain]}


def _root_evidence(root: list[HttpSnapshot] | None) -> dict[str, object]:
    if not root:
        return {}
    last = root[-1]
    return {
        "raiz_del_sitio": {
            "saltos": [hop.summary() for hop in root],
            "nota": "solo evidencia: la raíz no es la dirección a la que se envía a la ciudadanía"
            + (f" (respondió {status_phrase(last.status)})" if last.status else ""),
        }
    }


def _sign_in_hop(chain: list[HttpSnapshot]) -> str | None:
    """The first redirect target that looks like a sign-in or payment page."""
    for hop in chain[1:]:
        parts = urlsplit(hop.url)
        if _SIGN_IN.search(f"{parts.path}?{parts.query}"):
            return hop.url
    return None


def evaluate_reachable(
    chain: list[HttpSnapshot], root: list[HttpSnapshot] | None = None
) -> CheckResult:
    """``site.reachable``: the address citizens are sent to (the election folder's entry page,
    or ``difusor.entry_url``) ends, after redirects, in a 200 over HTTPS on the same site, with
    no sign-in or payment in the way.

    ``root``: the bare site root's chain, kept as evidence only (a root answering 403 or 404,
    as nginx or Apache without a root index do, says nothing about the election folder).
    Outcomes: unreachable (error: connection, TLS, timeout); login-or-paywall (fail:
    401/402/407, a redirect to a sign-in page or another host, a page with a password field;
    fix: publish the results without registration or payment); redirect-invalid (fail: a
    redirect to ``mailto:``/``javascript:``/``data:``); redirect-loop (fail); not-https;
    bad-status (fail, e.g. 403 or 404 on the folder); ok.
    """
    check = "site.reachable"
    last = chain[-1]
    evidence = {**_chain_evidence(chain), **_root_evidence(root)}
    where = clean_text(chain[0].url, 200)
    start_host = urlsplit(chain[0].url).hostname
    if len(chain) > 1 and urlsplit(last.url).hostname not in (start_host, None):
        return outcome(
            check,
            False,
            f"{where} redirige a otro dominio ({clean_text(urlsplit(last.url).hostname, 100)}); "
            "posible registro o muro de pago",
            **evidence,
        )
    if not last.ok:
        if last.error_kind == "redirect":
            return outcome(check, False, f"{where} {last.error}", **evidence)
        return error(
            check, f"No se pudo consultar {clean_text(last.url, 200)}: {last.error}", **evidence
        )
    final = urlsplit(last.url)
    if last.status in _LOGIN_STATUSES:
        return outcome(
            check,
            False,
            f"{clean_text(last.url, 200)} {_LOGIN_STATUSES[last.status]} "
            f"(HTTP {last.status}); los resultados deben ser públicos y gratuitos",
            **evidence,
        )
    sign_in = _sign_in_hop(chain)
    if sign_in is not None:
        return outcome(
            check,
            False,
            f"{where} redirige a una página de acceso ({clean_text(sign_in, 200)}); "
            "los resultados deben ser públicos, sin registro",
            **evidence,
        )
    if final.hostname != start_host:
        return outcome(
            check,
            False,
            f"El sitio redirige a otro dominio ({clean_text(final.hostname, 100)}); "
            "posible registro o muro de pago",
            **evidence,
        )
    if final.scheme != "https":
        return outcome(
            check, False, f"El sitio termina en {clean_text(last.url, 200)} sin HTTPS", **evidence
        )
    if last.status in _REDIRECTS:
        return outcome(
            check, False, f"{where} redirige sin fin (demasiadas redirecciones)", **evidence
        )
    if last.status != 200:
        return outcome(
            check,
            False,
            f"{clean_text(last.url, 200)} respondió {status_phrase(last.status or 0)}, "
            "se esperaba 200",
            **evidence,
        )
    if _PASSWORD_FIELD.search(last.body[:262144]):
        return outcome(
            check,
            False,
            f"{clean_text(last.url, 200)} pide una contraseña (formulario de acceso); "
            "los resultados deben ser públicos, sin registro",
            **evidence,
        )
    return outcome(check, True, f"{clean_text(last.url, 200)} responde 200 por HTTPS", **evidence)


def evaluate_public_folder(
    snapshot: HttpSnapshot, expected_index: bytes, folder: str
) -> CheckResult:
    """``site.public-folder``: the election folder URL serves the package's ``index.html``."""
    check = "site.public-folder"
    evidence: dict[str, object] = {"solicitud": snapshot.summary(), "carpeta": folder}
    if not snapshot.ok:
        return error(
            check, f"No se pudo consultar la carpeta {folder}: {snapshot.error}", **evidence
        )
    if snapshot.status != 200:
        return outcome(
            check, False, f"La carpeta {folder}/ respondió HTTP {snapshot.status}", **evidence
        )
    expected = hashlib.sha256(expected_index).hexdigest()
    found = hashlib.sha256(snapshot.body).hexdigest()
    evidence.update(
        sha256_esperado=expected,
        sha256_servido=found,
        bytes_esperados=len(expected_index),
        bytes_servidos=len(snapshot.body),
    )
    if found != expected:
        return outcome(
            check,
            False,
            f"La carpeta {folder}/ no sirve el index.html del paquete oficial (contenido distinto)",
            **evidence,
        )
    return outcome(
        check, True, f"La carpeta {folder}/ es pública y sirve el index.html oficial", **evidence
    )


# -- site.https-redirect ------------------------------------------------------------------------

_PERMANENT = (301, 308)
_TEMPORARY = (302, 303, 307)


def plain_http_url(base_url: str, configured: str | None = None) -> str:
    """The http:// URL to probe: ``configured``, else ``base_url`` with scheme http, port 80."""
    if configured:
        return configured
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return urlunsplit(("http", host, parts.path or "/", "", ""))


def evaluate_https_redirect(snapshot: HttpSnapshot, base_url: str) -> CheckResult:
    """``site.https-redirect``: http:// answers with a permanent redirect to https:// (same host).

    Outcomes and fixes: ``redirect-permanent`` (pass: 301/308 to https://); ``redirect-temporary``
    (warn: use 301); ``redirect-elsewhere`` (warn: redirect to https:// on the same site);
    ``served-over-http`` (warn: http:// serves content; add the 301); ``http-refused`` (warn:
    nothing answers http://, citizens typing the bare name get nothing; listen on port 80 and
    redirect); timeout or other failure → error.
    """
    check = "site.https-redirect"
    evidence: dict[str, object] = {"solicitud": snapshot.summary()}
    if not snapshot.ok:
        text = snapshot.error or ""
        if snapshot.error_kind == "refused" or "rechaz" in text.lower():
            return outcome(
                check,
                False,
                f"{snapshot.url} no responde (conexión rechazada)",
                resultado="http-refused",
                **evidence,
            )
        return error(check, f"No se pudo consultar {snapshot.url}: {text}", **evidence)
    location = snapshot.header("location")
    evidence["location"] = location
    status = snapshot.status or 0
    if status not in _PERMANENT + _TEMPORARY or not location:
        return outcome(
            check,
            False,
            f"{snapshot.url} responde HTTP {status} sin redirigir a https://",
            resultado="served-over-http",
            **evidence,
        )
    target = urlsplit(urljoin(snapshot.url, location))
    if target.scheme != "https" or target.hostname != urlsplit(base_url).hostname:
        return outcome(
            check,
            False,
            f"{snapshot.url} redirige a {location}, no a https:// del mismo sitio",
            resultado="redirect-elsewhere",
            **evidence,
        )
    if status in _TEMPORARY:
        return outcome(
            check,
            False,
            f"La redirección a https:// es temporal (HTTP {status}); use 301",
            resultado="redirect-temporary",
            **evidence,
        )
    return outcome(
        check,
        True,
        f"http:// redirige a {location} (HTTP {status})",
        resultado="redirect-permanent",
        **evidence,
    )


# -- site.no-directory-listing ------------------------------------------------------------------

_LISTING_MARKERS = (
    "<title>index of",
    "<h1>index of",
    "directory listing for",
    "[to parent directory]",
    ">parent directory</a>",
)


def is_listing(snapshot: HttpSnapshot) -> bool:
    """Whether a 200 response looks like a server-generated directory listing."""
    if snapshot.status != 200:
        return False
    text = snapshot.body[:65536].decode("utf-8", "replace").lower()
    return any(marker in text for marker in _LISTING_MARKERS)


def evaluate_no_directory_listing(snapshots: list[HttpSnapshot]) -> CheckResult:
    """``site.no-directory-listing``: folders without index.html show no listing.

    ``snapshots``: responses for folders of the package that have no index.html. Outcomes:
    ``no-listing`` (pass: 403/404 or a page that is not a listing); ``listing`` (warn; fix:
    nginx ``autoindex off``, Apache ``Options -Indexes``); every request failed → error.
    """
    check = "site.no-directory-listing"
    rows = [{**s.summary(), "listado": is_listing(s)} for s in snapshots]
    answered = [s for s in snapshots if s.ok]
    if not answered:
        reason = snapshots[0].error if snapshots else "sin carpetas que probar"
        return error(check, f"No se pudo consultar ninguna carpeta: {reason}", carpetas=rows)
    listed = [s.url for s in answered if is_listing(s)]
    if listed:
        return outcome(
            check,
            False,
            f"Se muestra el listado de {', '.join(listed)}",
            resultado="listing",
            carpetas=rows,
        )
    return outcome(
        check,
        True,
        f"{len(answered)} carpeta(s) sin índice no muestran listado",
        resultado="no-listing",
        carpetas=rows,
    )


# -- site.server-software -----------------------------------------------------------------------

KNOWN_SERVERS = (
    "nginx",
    "openresty",
    "apache",
    "microsoft-iis",
    "litespeed",
    "caddy",
    "cloudflare",
    "varnish",
    "envoy",
    "amazons3",
    "tengine",
)
_VERSION_IN_HEADER = re.compile(r"/\s*v?\d|\b\d+\.\d+")
_VERSION_IN_PAGE = re.compile(
    r"\b(nginx|apache|microsoft-iis|litespeed|openresty|php)/\d+(\.\d+)*", re.IGNORECASE
)
_DISCLOSING_HEADERS = ("server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version")


def _disclosures(snapshot: HttpSnapshot) -> list[str]:
    found = [
        f"{name}: {value}"
        for name in _DISCLOSING_HEADERS
        if (value := snapshot.header(name)) and _VERSION_IN_HEADER.search(value)
    ]
    page = _VERSION_IN_PAGE.search(snapshot.body[:65536].decode("utf-8", "replace"))
    if page:
        found.append(f"página de {snapshot.url}: {page.group(0)}")
    return found


def evaluate_server_software(
    snapshots: list[HttpSnapshot], declared: str | None = None
) -> CheckResult:
    """``site.server-software``: the web server is identifiable (Server header or declared in the
    configuration) and no version is disclosed (headers, error pages).

    ``snapshots``: a normal page and a missing page (error pages show signatures).
    Outcomes and fixes: ``server-ok`` (pass); ``version-disclosed`` (warn: nginx
    ``server_tokens off``, Apache ``ServerTokens Prod`` and ``ServerSignature Off``, remove
    ``X-Powered-By``); ``server-unidentified`` (warn: keep ``Server: nginx``/``Apache`` or
    declare the server in ``transport.declared_server_software``); every request failed → error.
    """
    check = "site.server-software"
    answered = [s for s in snapshots if s.ok]
    rows = [{**s.summary(), "server": s.header("server")} for s in snapshots]
    if not answered:
        reason = snapshots[0].error if snapshots else "sin solicitudes"
        return error(check, f"No se pudo consultar el sitio: {reason}", solicitudes=rows)
    disclosed = [item for s in answered for item in _disclosures(s)]
    server = next((s.header("server") for s in answered if s.header("server")), None)
    identified = declared or (
        server if server and any(k in server.lower() for k in KNOWN_SERVERS) else None
    )
    evidence = {"solicitudes": rows, "servidor": server, "declarado": declared}
    if disclosed:
        return outcome(
            check,
            False,
            f"Se revela la versión: {'; '.join(disclosed[:3])}",
            resultado="version-disclosed",
            revelaciones=disclosed,
            **evidence,
        )
    if identified is None:
        return outcome(
            check,
            False,
            f"Servidor no identificable (Server: {server or 'ausente'})",
            resultado="server-unidentified",
            **evidence,
        )
    return outcome(
        check,
        True,
        f"Servidor {identified}, sin versión expuesta",
        resultado="server-ok",
        **evidence,
    )


# -- registered evaluators: what each site.* check observes -----------------------------------


@check("site.reachable")
def site_reachable(seen: Observer) -> CheckResult:
    root = seen.chain(seen.base_url) if seen.entry_url != seen.base_url else None
    return evaluate_reachable(seen.chain(seen.entry_url), root)


@check("site.public-folder")
def site_public_folder(seen: Observer) -> CheckResult:
    official = seen.usable_official()
    expected = official.read("index.html")
    if expected is None:
        folder = seen.election.folder
        return error("site.public-folder", f"El paquete oficial no tiene {folder}/index.html.")
    return evaluate_public_folder(seen.get(seen.folder_url), expected, seen.election.folder)


@check("site.https-redirect")
def site_https_redirect(seen: Observer) -> CheckResult:
    url = plain_http_url(seen.base_url, seen.difusor.http_url)
    return evaluate_https_redirect(seen.get(url), seen.base_url)


@check("site.no-directory-listing")
def site_no_directory_listing(seen: Observer) -> CheckResult:
    urls = [seen.folder_url + folder for folder in folders_without_index(seen)]
    return evaluate_no_directory_listing([seen.get(url) for url in urls])


@check("site.server-software")
def site_server_software(seen: Observer) -> CheckResult:
    missing = seen.folder_url + "prepcheck-no-existe-404.html"
    snapshots = [seen.get(seen.folder_url), seen.get(missing)]
    return evaluate_server_software(snapshots, seen.difusor.transport.declared_server_software)


def folders_without_index(seen: Observer, limit: int = 3) -> list[str]:
    """Folders of the package (relative to the election folder) that hold no index.html;
    ``json/`` when the official package cannot tell."""
    try:
        official = seen.usable_official()
    except Unobserved:
        return ["json/"]
    prefix = official.folder + "/"
    paths = [e.path.removeprefix(prefix) for e in official.manifest if e.path.startswith(prefix)]
    folders = {p.rsplit("/", 1)[0] + "/" for p in paths if "/" in p}
    with_index = {p.removesuffix("index.html") for p in paths if p.endswith("index.html")}
    return sorted(folders - with_index, key=lambda f: (f.count("/"), f))[:limit] or ["json/"]
