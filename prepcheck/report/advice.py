"""«Cómo corregirlo»: the record's fix, made specific to what its evidence says was observed.

Contract: :func:`advice_for` returns the advice for a record that fails, warns or could not be
verified (None otherwise): the catalogue's fix (``record.fix``) unless a rule below knows
better from the evidence (which directives are missing, which files differ, which protocol
is offered...), plus, where a server setting fixes it, the nginx and the Apache lines to add.
Never raises for odd evidence: a rule that cannot read its evidence gives the record's fix.
Texts are plain (templates escape them); snippets are configuration, shown as code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from prepcheck.report import es
from prepcheck.report.facts.common import mapping, number, rows, texts

CACHE_RULE = "no-cache, no-store, must-revalidate"
#: Mozilla Server Side TLS 6.0 intermediate TLS 1.2 suites, in OpenSSL names: the list the
#: reference configurations use (reports import no server code, so it is written here).
INTERMEDIATE_CIPHERS = ":".join(
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
    )
)
_SHOWN_FILES = 5


@dataclass(frozen=True)
class Snippet:
    """Lines to add to one server's configuration."""

    server: str
    code: str


@dataclass(frozen=True)
class Advice:
    text: str
    snippets: tuple[Snippet, ...] = ()


def _both(nginx: str, apache: str) -> tuple[Snippet, ...]:
    return (Snippet("nginx", nginx), Snippet("Apache", apache))


# -- headers ----------------------------------------------------------------------------------


def _cache_control(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    missing, contradicting = texts(ev.get("faltan")), texts(ev.get("contradicen"))
    outcome = ev.get("resultado")
    if outcome == "cache-control-missing":
        text = "main.json se sirve sin Cache-Control: agregue el encabezado completo."
    elif outcome in ("cache-control-directives-missing", "cache-control-contradiction"):
        parts = []
        if missing:
            parts.append(f"faltan {', '.join(missing)}")
        if contradicting:
            parts.append(f"sobran {', '.join(contradicting)}, que permiten guardar copias")
        text = f"En el Cache-Control de main.json {' y '.join(parts)}. Déjelo exactamente así:"
    elif outcome == "cache-control-malformed":
        text = "El Cache-Control de main.json no se puede leer: escríbalo como una lista simple:"
    else:
        return None
    return Advice(
        f"{text} «Cache-Control: {CACHE_RULE}».",
        _both(
            "location ~ /json/main\\.json$ {\n"
            "    expires off;\n"
            f'    add_header Cache-Control "{CACHE_RULE}" always;\n'
            "    # add_header en un location anula los del server: repítalos aquí\n"
            "}",
            '<LocationMatch "/json/main\\.json$">\n'
            "    ExpiresActive Off\n"
            f'    Header always set Cache-Control "{CACHE_RULE}"\n'
            "</LocationMatch>",
        ),
    )


def _not_cached(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    signs = texts(ev.get("marcas")) + texts(ev.get("copias_viejas"))
    if not signs:
        return None
    return Advice(
        "Un intermediario (CDN, proxy inverso o balanceador) entrega main.json desde su caché "
        f"({'; '.join(signs[:3])}). Excluya json/main.json de toda caché intermedia, o haga que "
        "respete Cache-Control; en un CDN, una regla «no guardar en caché» para esa ruta.",
        (
            Snippet(
                "nginx (proxy)",
                "location ~ /json/main\\.json$ {\n"
                "    proxy_pass http://origen;\n"
                "    proxy_no_cache 1;\n"
                "    proxy_cache_bypass 1;\n"
                "}",
            ),
            Snippet(
                "Varnish (VCL)",
                'sub vcl_recv {\n    if (req.url ~ "/json/main\\.json") { return (pass); }\n}',
            ),
        ),
    )


def _content_type(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    seen = ev.get("content_type")
    return Advice(
        f"main.json se sirve como «{seen or 'sin Content-Type'}»: asocie la extensión .json con "
        "application/json.",
        _both(
            "include mime.types;   # trae: application/json json;",
            "AddType application/json .json",
        ),
    )


def _hsts(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    outcome = ev.get("resultado")
    if outcome == "hsts-implemented-max-age-less-than-six-months":
        text = f"max-age={ev.get('max_age')} es menos de 6 meses: súbalo a un año (31536000)."
    elif outcome == "hsts-header-invalid":
        text = (
            f"Strict-Transport-Security no es válido ({'; '.join(texts(ev.get('problemas')))}): "
            "envíe un solo encabezado con un max-age numérico."
        )
    else:
        text = "Agregue Strict-Transport-Security con max-age de un año (31536000)."
    return Advice(
        text,
        _both(
            'add_header Strict-Transport-Security "max-age=31536000" always;',
            'Header always set Strict-Transport-Security "max-age=31536000"',
        ),
    )


def _security(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    nosniff = str(ev.get("x_content_type_options") or "").strip().lower() == "nosniff"
    framing = str(ev.get("politica_de_marcos") or "")
    portal = _origin(ev.get("portal"))
    nginx, apache, problems = [], [], []
    if not nosniff:
        problems.append("falta X-Content-Type-Options: nosniff")
        nginx.append('add_header X-Content-Type-Options "nosniff" always;')
        apache.append('Header always set X-Content-Type-Options "nosniff"')
    if any(word in framing for word in _FRAMING_PROBLEMS):
        problems.append(framing)
        policy = "frame-ancestors 'self'" + (f" {portal}" if portal else "")
        nginx.append(f'add_header Content-Security-Policy "{policy}" always;')
        apache.append(f'Header always set Content-Security-Policy "{policy}"')
    if not problems:
        return None
    where = f" (su portal {portal} debe poder embeber las páginas)" if portal else ""
    text = "; ".join(problems)
    return Advice(
        f"{text[:1].upper()}{text[1:]}{where}.", _both("\n".join(nginx), "\n".join(apache))
    )


#: How ``headers.security`` words a framing policy that fails (see ``framing_verdict``).
_FRAMING_PROBLEMS = ("impide", "permite que", "no permite", "sin política")


def _origin(url: Any) -> str:
    if not isinstance(url, str) or "://" not in url:
        return ""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _compression(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    kinds = [
        str(r.get("tipo"))
        for r in rows(ev.get("archivos"))
        if not r.get("content_encoding") and (number(r.get("bytes")) or 0) >= 1024
    ]
    types = "text/html application/json text/csv"
    return Advice(
        f"Sin compresión: {', '.join(kinds) or 'algunos archivos'}. Active gzip (o brotli) para "
        "HTML, JSON y CSV: reduce el tráfico de la noche de la elección.",
        _both(
            "gzip on;\ngzip_types application/json text/csv;   # text/html va siempre",
            f"AddOutputFilterByType DEFLATE {types}",
        ),
    )


# -- site -------------------------------------------------------------------------------------


def _https_redirect(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    texts_by_outcome = {
        "http-refused": "Nada responde en http://: quien escriba la dirección sin https no "
        "llega. Escuche en el puerto 80 solo para redirigir.",
        "served-over-http": "http:// sirve contenido sin cifrar: redirija todo a https://.",
        "redirect-elsewhere": f"http:// redirige a {ev.get('location')}: redirija a https:// "
        "del mismo sitio.",
        "redirect-temporary": "La redirección es temporal: use 301 (permanente).",
    }
    text = texts_by_outcome.get(str(ev.get("resultado")))
    if text is None:
        return None
    return Advice(
        text,
        _both(
            "server {\n    listen 80;\n    server_name SU-SITIO;\n"
            "    return 301 https://$host$request_uri;\n}",
            "<VirtualHost *:80>\n    ServerName SU-SITIO\n"
            "    Redirect permanent / https://SU-SITIO/\n</VirtualHost>",
        ),
    )


def _listing(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    listed = [str(r.get("url")) for r in rows(ev.get("carpetas")) if r.get("listado")]
    return Advice(
        f"Se muestra el contenido de {', '.join(listed) or 'carpetas sin índice'}: desactive el "
        "listado de directorios.",
        _both("autoindex off;", "Options -Indexes"),
    )


def _server_software(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    if ev.get("resultado") == "server-unidentified":
        return Advice(
            f"No se reconoce el servidor (Server: {ev.get('servidor') or 'ausente'}): deje "
            "«Server: nginx» o «Server: Apache» sin versión, o declare el software en "
            "transport.declared_server_software."
        )
    disclosed = texts(ev.get("revelaciones"))
    if not disclosed:
        return None
    return Advice(
        f"Se revela la versión ({'; '.join(disclosed[:3])}): ocúltela en encabezados y páginas "
        "de error; quite X-Powered-By (PHP: expose_php = Off).",
        _both("server_tokens off;", "ServerTokens Prod\nServerSignature Off"),
    )


# -- TLS --------------------------------------------------------------------------------------


def _protocols(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    offered = texts(ev.get("protocolos_ofrecidos"))
    legacy = [p for p in offered if p in ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")]
    if legacy:
        text = f"Desactive {', '.join(legacy)}: ofrezca solo TLS 1.2 y TLS 1.3."
    elif record["id"] == "tls.tls13":
        text = "Active TLS 1.3 (OpenSSL 1.1.1 o posterior), junto con TLS 1.2."
    elif ev.get("resultado") == "protocols-no-modern":
        text = "Active TLS 1.2 y TLS 1.3."
    else:
        return None
    return Advice(
        text, _both("ssl_protocols TLSv1.2 TLSv1.3;", "SSLProtocol -all +TLSv1.2 +TLSv1.3")
    )


def _ciphers(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    outside = texts(ev.get("fuera_del_perfil")) + texts(ev.get("grupos_fuera_del_perfil"))
    if not outside:
        return None
    return Advice(
        f"Quite {', '.join(outside[:6])}{'…' if len(outside) > 6 else ''}: use la lista del "
        f"{ev.get('perfil') or 'perfil intermedio de Mozilla'}.",
        _both(
            f"ssl_ciphers {INTERMEDIATE_CIPHERS};\nssl_prefer_server_ciphers off;",
            f"SSLCipherSuite {INTERMEDIATE_CIPHERS}\nSSLHonorCipherOrder off",
        ),
    )


def _ocsp(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    if ev.get("resultado") != "ocsp-not-stapled":
        return None
    return Advice(
        "Active OCSP stapling (requiere una CA con servidor OCSP).",
        _both(
            "ssl_stapling on;\nssl_stapling_verify on;",
            'SSLUseStapling On\nSSLStaplingCache "shmcb:/var/run/ocsp(128000)"   # fuera del '
            "VirtualHost",
        ),
    )


def _lifetime(record: Mapping[str, Any], ev: Mapping[str, Any], offset: str) -> Advice | None:
    if ev.get("resultado") != "lifetime-too-short":
        return None
    return Advice(
        f"Renueve el certificado antes de la elección: vence el "
        f"{es.moment_text(ev.get('vence'), offset)} y debe seguir vigente al menos hasta "
        f"el {es.moment_text(ev.get('debe_vencer_despues_de'), offset)} (fin de la "
        f"publicación más {ev.get('margen_dias')} días)."
    )


def _certificate(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    outcomes = set(texts(ev.get("resultado")))
    steps = []
    if outcomes & {"certificate-expired", "certificate-not-yet-valid"}:
        steps.append("renueve el certificado (o corrija la hora del servidor)")
    if "certificate-untrusted" in outcomes:
        steps.append(
            "instale un certificado de una CA de confianza con su cadena completa (certificados "
            "intermedios incluidos)"
        )
    if "certificate-name-mismatch" in outcomes:
        steps.append("emita el certificado para el nombre del sitio")
    if not steps:
        return None
    return Advice(
        es.sentence("; ".join(steps)),
        _both(
            "ssl_certificate /ruta/cadena-completa.pem;   # sitio + intermedios\n"
            "ssl_certificate_key /ruta/llave.pem;",
            "SSLCertificateFile /ruta/cadena-completa.pem\nSSLCertificateKeyFile /ruta/llave.pem",
        )
        if "certificate-untrusted" in outcomes
        else (),
    )


# -- what is published ------------------------------------------------------------------------


def _files(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    wanted = "modificados" if record["id"] == "integrity.files-identical" else "faltantes"
    listed = [str(e.get("ruta")) for e in rows(ev.get("ejemplos")) if e.get("tipo") == wanted]
    if not listed:
        return None
    more = len(listed) - _SHOWN_FILES + int(number(ev.get("ejemplos_omitidos")) or 0)
    names = ", ".join(listed[:_SHOWN_FILES]) + (f" y {more} más" if more > 0 else "")
    if wanted == "modificados":
        text = (
            f"Vuelva a publicar, sin modificarlos, los archivos del paquete oficial que difieren "
            f"({names}): desempaque el paquete completo de nuevo y compruebe su huella; nada "
            "debe reescribir los archivos al servirlos (inyección de scripts, minificación, "
            "conversión de fin de línea)."
        )
    else:
        statuses = mapping(ev.get("faltantes_por_estado_http"))
        forbidden = (
            " Si responden 403, revise los permisos de lectura." if "403" in statuses else ""
        )
        text = f"Publique los archivos que faltan ({names}) desempacando el paquete completo."
        text += forbidden
    return Advice(text)


def _corte(record: Mapping[str, Any], ev: Mapping[str, Any], offset: str) -> Advice | None:
    lag = number(ev.get("retraso_minutos"))
    if lag is None:
        return None
    official = es.moment_text(ev.get("corte_oficial"), offset)
    published = es.moment_text(ev.get("corte_difusor"), offset)
    if lag < 0:
        return Advice(
            f"El sitio muestra un corte ({published}) posterior al último oficial ({official}): "
            "publique solo paquetes oficiales."
        )
    return Advice(
        f"Publique el corte oficial de {official}: el sitio sigue en el de {published} "
        f"({es.number(lag)} min de atraso). Automatice la recepción y publicación de cada "
        "corte (prepcheck ingest --watch es un ejemplo)."
    )


def _load(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    limits = mapping(ev.get("umbrales"))
    spike = record["id"] == "load.spike"
    found = []
    for key, name, judged_in_spike in (("p95_ms", "p95", False), ("p99_ms", "p99", True)):
        value, limit = number(ev.get(key)), number(limits.get(key))
        if (
            value is not None
            and limit is not None
            and value > limit
            and (judged_in_spike or not spike)
        ):
            found.append(f"latencia {name} de {es.number(value)} ms (máximo {es.number(limit)})")
    errors, most = number(ev.get("tasa_de_error")), number(limits.get("tasa_de_error_maxima"))
    if errors is not None and most is not None and errors > most:
        found.append(f"tasa de error de {es.percent(errors)} (máximo {es.percent(most)})")
    rate = number(ev.get("sol_por_segundo_logradas"))
    target = number(limits.get("sol_por_segundo_objetivo"))
    ratio = number(limits.get("proporcion_minima_del_objetivo"))
    if not spike and rate is not None and target and ratio and rate < target * ratio:
        found.append(
            f"{es.number(rate)} solicitudes por segundo (mínimo {es.number(target * ratio)})"
        )
    if not found:
        return None
    return Advice(f"Bajo carga: {'; '.join(found)}. {record.get('fix') or ''}".strip())


def _access_log(record: Mapping[str, Any], ev: Mapping[str, Any]) -> Advice | None:
    if not ev.get("campos_faltantes"):
        return None
    return Advice(
        f"La bitácora no registra {', '.join(texts(ev.get('campos_faltantes')))}: use el formato "
        "combined (o uno más completo).",
        _both(
            "access_log /var/log/nginx/access.log combined;",
            'CustomLog "${APACHE_LOG_DIR}/access.log" combined',
        ),
    )


Rule = Callable[[Mapping[str, Any], Mapping[str, Any]], Advice | None]

RULES: dict[str, Rule] = {
    "headers.main-json-cache-control": _cache_control,
    "headers.main-json-not-cached": _not_cached,
    "headers.main-json-content-type": _content_type,
    "headers.hsts": _hsts,
    "headers.security": _security,
    "headers.compression": _compression,
    "site.https-redirect": _https_redirect,
    "site.no-directory-listing": _listing,
    "site.server-software": _server_software,
    "tls.protocols": _protocols,
    "tls.tls13": _protocols,
    "tls.ciphers": _ciphers,
    "tls.ocsp-stapling": _ocsp,
    "tls.certificate-valid": _certificate,
    "integrity.files-identical": _files,
    "integrity.no-missing-files": _files,
    "load.capacity": _load,
    "load.spike": _load,
    "host.access-log": _access_log,
}
#: Rules that write moments, so they need the election's offset.
TIMED_RULES: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any], str], Advice | None]] = {
    "tls.certificate-lifetime": _lifetime,
    "freshness.corte-current": _corte,
}
_SHAPE_ERRORS = (LookupError, TypeError, ValueError, AttributeError, ArithmeticError)
ADVISED = ("fail", "warn", "error")


def advice_for(record: Mapping[str, Any], utc_offset: str) -> Advice | None:
    """The advice for ``record`` (see the module contract)."""
    if record.get("status") not in ADVISED:
        return None
    generic = Advice(str(record.get("fix") or ""))
    evidence = record.get("evidence")
    if record.get("status") == "error" or not isinstance(evidence, Mapping):
        return generic if generic.text else None
    check = str(record.get("id"))
    try:
        if check in TIMED_RULES:
            found = TIMED_RULES[check](record, evidence, utc_offset)
        else:
            rule = RULES.get(check)
            found = rule(record, evidence) if rule else None
    except _SHAPE_ERRORS:
        found = None
    if found is not None and found.text:
        return found
    return generic if generic.text else None
