"""The check catalogue: every check id, its severity, clause, Spanish title and fix hint.

This module is the one source of truth that suites, reports and docs read. Ids are stable:
none may be dropped or renamed without keeping an alias in ``ALIASES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How a failure counts: ``required`` fails the difusor, ``advisory`` only warns."""

    REQUIRED = "required"
    ADVISORY = "advisory"


#: Which command measures a check, and how it is written for a person to run.
COMMANDS: dict[str, str] = {
    "run": "prepcheck run --config ARCHIVO --difusor {difusor}",
    "load": "prepcheck load --config ARCHIVO --difusor {difusor} (requiere load.authorized = true)",
    "monitor": "prepcheck monitor --config ARCHIVO --difusor {difusor} --for DURACIÓN",
    "selftest": "prepcheck selftest --config ARCHIVO --difusor {difusor} … (en el servidor del "
    "difusor)",
}


@dataclass(frozen=True)
class CheckSpec:
    """The policy of one check: what it verifies, against which clause, and how to fix it.

    ``measured_by`` names the command that measures it (``run``, ``load``, ``monitor``,
    ``selftest``). ``needs`` names the configuration the check cannot run without; when it
    is absent the check is ``not_measured`` (``skipped``: the convocatoria requires it of every
    difusor, so the verdict stays INCOMPLETO) or ``not_applicable`` (nothing to check, e.g. no
    portal embeds the pages), as ``unconfigured`` says.
    """

    id: str
    severity: Severity
    clause: str
    title: str
    fix: str
    group: str
    needs: str | None = None
    unconfigured: str = "not_measured"
    measured_by: str = "run"

    @property
    def conditional(self) -> bool:
        """Whether the check needs a configuration block of its own."""
        return self.needs is not None

    @property
    def command(self) -> str:
        """How a person measures this check (``{difusor}`` stands for the difusor's name)."""
        return COMMANDS[self.measured_by]


_R = Severity.REQUIRED
_A = Severity.ADVISORY

_SPECS: tuple[CheckSpec, ...] = (
    # Site and publication
    CheckSpec(
        "site.reachable",
        _R,
        "I.b, II",
        "El sitio responde 200 por HTTPS, sin registro ni cobro",
        "Publique el sitio por HTTPS sin autenticación ni redirecciones a páginas de pago.",
        "site",
    ),
    CheckSpec(
        "site.public-folder",
        _R,
        "II (carpeta prepver2021 pública)",
        "La carpeta de la elección sirve el index.html del paquete",
        "Copie el paquete en la carpeta pública de la elección y permita su acceso web.",
        "site",
    ),
    CheckSpec(
        "site.https-redirect",
        _A,
        "II (TLS)",
        "http:// redirige a https://",
        "Configure una redirección 301 de http:// a https:// en el servidor web.",
        "site",
    ),
    CheckSpec(
        "site.no-directory-listing",
        _A,
        "II (cortafuegos/perímetro)",
        "Las carpetas sin índice no muestran listado",
        "Desactive el listado de directorios (nginx: autoindex off; Apache: Options -Indexes).",
        "site",
    ),
    CheckSpec(
        "site.server-software",
        _A,
        "II (Servidor Web)",
        "Servidor web identificable sin revelar su versión",
        "Oculte la versión del servidor (nginx: server_tokens off; Apache: ServerTokens Prod).",
        "site",
    ),
    # Headers
    CheckSpec(
        "headers.main-json-cache-control",
        _R,
        "II (regla de encabezado)",
        "main.json con Cache-Control: no-cache, no-store, must-revalidate",
        "Agregue para json/main.json el encabezado "
        "'Cache-Control: no-cache, no-store, must-revalidate' y quite max-age, public o immutable.",
        "headers",
    ),
    CheckSpec(
        "headers.main-json-not-cached",
        _R,
        "I.g, II",
        "Ningún intermediario sirve una copia vieja de main.json",
        "Excluya json/main.json de toda caché intermedia (CDN, proxy inverso, balanceador).",
        "headers",
    ),
    CheckSpec(
        "headers.main-json-content-type",
        _A,
        "—",
        "main.json se sirve como application/json",
        "Declare el tipo MIME application/json para archivos .json.",
        "headers",
    ),
    CheckSpec(
        "headers.hsts",
        _A,
        "II (TLS)",
        "Strict-Transport-Security con max-age de 6 meses o más",
        "Agregue 'Strict-Transport-Security: max-age=31536000'.",
        "headers",
    ),
    CheckSpec(
        "headers.security",
        _A,
        "—",
        "Encabezados de seguridad (nosniff y política de marcos)",
        "Agregue 'X-Content-Type-Options: nosniff' y una política de marcos que permita su portal.",
        "headers",
    ),
    CheckSpec(
        "headers.compression",
        _A,
        "II (capacidad)",
        "HTML, JSON y CSV se sirven comprimidos",
        "Active gzip o brotli para text/html, application/json y text/csv.",
        "headers",
    ),
    # TLS
    CheckSpec(
        "tls.enabled",
        _R,
        "II (https … TLS)",
        "El saludo TLS se completa en el puerto configurado",
        "Habilite HTTPS en el puerto configurado con un certificado instalado.",
        "tls",
    ),
    CheckSpec(
        "tls.certificate-valid",
        _R,
        "II",
        "Certificado de confianza y con el nombre del sitio",
        "Instale la cadena completa emitida por una CA de confianza para el nombre del sitio.",
        "tls",
    ),
    CheckSpec(
        "tls.certificate-lifetime",
        _R,
        "I.a",
        "Certificado vigente hasta el fin de la publicación más un margen",
        "Renueve el certificado para que cubra todo el periodo de publicación.",
        "tls",
    ),
    CheckSpec(
        "tls.protocols",
        _R,
        "II",
        "Sin SSL 2/3 ni TLS 1.0/1.1; ofrece TLS 1.2 o 1.3",
        "Limite los protocolos a TLSv1.2 y TLSv1.3.",
        "tls",
    ),
    CheckSpec("tls.tls13", _A, "—", "Ofrece TLS 1.3", "Habilite TLSv1.3.", "tls"),
    CheckSpec(
        "tls.ciphers",
        _A,
        "—",
        "Cifrados dentro del perfil intermedio de Mozilla",
        "Use la lista de cifrados del perfil intermedio de Mozilla.",
        "tls",
    ),
    CheckSpec(
        "tls.vulnerabilities",
        _R,
        "II",
        "Sin Heartbleed, ROBOT, inyección CCS, renegociación insegura ni compresión TLS",
        "Actualice OpenSSL y el servidor web; desactive la renegociación insegura y la compresión.",
        "tls",
    ),
    CheckSpec(
        "tls.ocsp-stapling",
        _A,
        "—",
        "OCSP stapling activo",
        "Active ssl_stapling (nginx) o SSLUseStapling (Apache).",
        "tls",
    ),
    # Package and integrity
    CheckSpec(
        "package.checksum",
        _R,
        "II (verificar la integridad)",
        "El paquete oficial coincide con su huella publicada",
        "Vuelva a descargar el paquete oficial; no use un paquete cuya huella no coincide.",
        "package",
    ),
    CheckSpec(
        "package.safe-archive",
        _R,
        "II",
        "El archivo del paquete es íntegro y seguro",
        "Rechace el paquete y solicite al OPLE uno nuevo.",
        "package",
    ),
    CheckSpec(
        "package.csv-consistency",
        _A,
        "I.c",
        "Los totales de cada CSV coinciden con sus actas",
        "Informe al OPLE: el resumen del CSV no coincide con sus renglones.",
        "package",
    ),
    CheckSpec(
        "integrity.files-identical",
        _R,
        "I.c (sin manipulación, modificación)",
        "Cada archivo del paquete se sirve idéntico byte por byte",
        "Publique los archivos del paquete sin modificarlos (sin minificar, reescribir ni "
        "inyectar contenido).",
        "integrity",
    ),
    CheckSpec(
        "integrity.no-missing-files",
        _R,
        "I.c",
        "Ningún archivo del paquete falta",
        "Descomprima el paquete completo en la carpeta pública.",
        "integrity",
    ),
    # Freshness
    CheckSpec(
        "freshness.corte-current",
        _R,
        "I.a, I.g",
        "El corte publicado es el último oficial",
        "Automatice la descarga y publicación de cada paquete (cada 15 minutos).",
        "freshness",
    ),
    CheckSpec(
        "freshness.corte-displayed",
        _R,
        "I.g",
        "La página muestra la fecha y hora del corte de main.json",
        "No oculte ni modifique la fecha y hora del corte en las páginas.",
        "freshness",
    ),
    CheckSpec(
        "freshness.publication-window",
        _R,
        "I.a",
        "Resultados publicados durante toda la ventana de publicación",
        "Mantenga publicados los resultados desde las 19:00 del día de la elección hasta el "
        "fin del periodo.",
        "freshness",
        measured_by="monitor",
    ),
    CheckSpec(
        "freshness.missed-periods",
        _R,
        "V.a",
        "Nunca 3 periodos de actualización consecutivos fallidos",
        "Atienda de inmediato las fallas de actualización; a los 45 minutos el OPLE "
        "interrumpe la transmisión.",
        "freshness",
        measured_by="monitor",
    ),
    # Render fidelity
    CheckSpec(
        "render.pages-match-reference",
        _R,
        "I.c",
        "Las páginas se ven igual que la referencia oficial",
        "Publique el sitio sin cambios de estilo, contenido ni elementos agregados.",
        "render",
    ),
    CheckSpec(
        "render.data-matches-package",
        _R,
        "I.c",
        "Las cifras mostradas coinciden con los datos del paquete",
        "Publique los datos del paquete sin modificarlos.",
        "render",
    ),
    CheckSpec(
        "render.embedded",
        _R,
        "I.f",
        "Las páginas embebidas en el portal son fieles",
        "Embeba las páginas oficiales sin alterarlas y con el último corte.",
        "render",
        needs="difusor.embed_url",
        unconfigured="not_applicable",
    ),
    CheckSpec(
        "render.no-console-errors",
        _A,
        "—",
        "Sin errores de JavaScript ni recursos fallidos",
        "Revise la consola del navegador y publique todos los recursos del paquete.",
        "render",
    ),
    # Capacity and transfer
    CheckSpec(
        "load.capacity",
        _R,
        "II (capacidad, DDoS)",
        "Soporta la carga ciudadana objetivo dentro de los umbrales",
        "Aumente la capacidad del servidor o agregue una CDN que respete la regla de main.json.",
        "load",
        measured_by="load",
    ),
    CheckSpec(
        "load.spike",
        _A,
        "II",
        "Soporta el pico de apertura de las 19:00",
        "Prepare capacidad para el pico de apertura (autoescalado o CDN).",
        "load",
        measured_by="load",
    ),
    CheckSpec(
        "load.bandwidth",
        _A,
        "II (20 Mbps simétricos)",
        "Descarga sostenida de 20 Mbps o más",
        "Contrate un enlace simétrico de al menos 20 Mbps.",
        "load",
        measured_by="load",
    ),
    CheckSpec(
        "sftp.reachable",
        _R,
        "II (SFTP/SSH)",
        "Acceso SFTP con las credenciales emitidas y escritura en la carpeta de carga",
        "Habilite el usuario SFTP y permisos de escritura en la carpeta de carga.",
        "sftp",
        needs="[difusor.sftp]",
    ),
    CheckSpec(
        "sftp.throughput",
        _R,
        "II (40 MB/s)",
        "Carga SFTP sostenida de 40 MB/s o más",
        "Aumente el ancho de banda o ajuste el servidor SSH.",
        "sftp",
        needs="[difusor.sftp]",
    ),
    CheckSpec(
        "ingest.valid-package-published",
        _R,
        "II (procedimiento automático)",
        "Un paquete subido por SFTP se publica íntegro dentro del plazo",
        "Automatice la verificación, descompresión y publicación de cada paquete recibido.",
        "ingest",
        needs="[difusor.sftp] con rehearsal_uploads = true",
    ),
    CheckSpec(
        "ingest.corrupt-package-rejected",
        _R,
        "II (verificar la integridad)",
        "Un paquete con huella incorrecta nunca se publica",
        "Verifique la huella antes de publicar y conserve el corte anterior.",
        "ingest",
        needs="[difusor.sftp] con rehearsal_uploads = true",
    ),
    # Difusor self-test
    CheckSpec(
        "host.disk-free",
        _R,
        "II (20 GB)",
        "Al menos 20 GB libres para paquetes y sitio",
        "Libere o amplíe el almacenamiento.",
        "host",
        measured_by="selftest",
    ),
    CheckSpec(
        "host.history-kept",
        _R,
        "II (almacenar todos los archivos históricos)",
        "Se conservan todos los paquetes recibidos, íntegros",
        "Guarde cada paquete recibido con su huella y no lo sobrescriba.",
        "host",
        measured_by="selftest",
    ),
    CheckSpec(
        "host.access-log",
        _R,
        "II (visitantes, páginas, permanencia)",
        "El servidor escribe una bitácora de accesos con los campos necesarios",
        "Active la bitácora de accesos en formato combined.",
        "host",
        measured_by="selftest",
    ),
    # Monitoring
    CheckSpec(
        "monitor.availability",
        _R,
        "II (99.9 %)",
        "Disponibilidad de 99.9 % o más en la ventana monitoreada",
        "Revise la infraestructura y el enlace; agregue redundancia.",
        "monitor",
        measured_by="monitor",
    ),
)

CATALOGUE: dict[str, CheckSpec] = {spec.id: spec for spec in _SPECS}
#: The ids a checklist run (``prepcheck run``) measures, in catalogue order (ingest rehearsals,
#: which change what a difusor publishes, come last).
RUN_IDS = tuple(cid for cid, check in CATALOGUE.items() if check.measured_by == "run")

# Old id -> current id. Kept forever so older results.json files still render.
ALIASES: dict[str, str] = {}

GROUP_TITLES: dict[str, str] = {
    "site": "Sitio y publicación",
    "headers": "Encabezados HTTP",
    "tls": "TLS",
    "package": "Paquete e integridad del archivo",
    "integrity": "Integridad de lo publicado",
    "freshness": "Actualización y ventana de publicación",
    "render": "Fidelidad de lo que ve la ciudadanía",
    "load": "Capacidad",
    "sftp": "Transferencia SFTP",
    "ingest": "Procedimiento automático de publicación",
    "host": "Autoevaluación en el servidor del difusor",
    "monitor": "Monitoreo",
}


def spec(check_id: str) -> CheckSpec:
    """Return the spec of ``check_id`` (aliases resolved); ``KeyError`` names unknown ids."""
    resolved = ALIASES.get(check_id, check_id)
    try:
        return CATALOGUE[resolved]
    except KeyError:
        raise KeyError(f"unknown check id {check_id!r}; see prepcheck.catalogue") from None


def ids() -> list[str]:
    """All current check ids, in catalogue (checklist) order."""
    return list(CATALOGUE)
