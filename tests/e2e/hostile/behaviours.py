"""The misbehaviours the hostile server can show, one per path prefix (``/b/<name>/``).

Contract: ``BEHAVIOURS`` maps each name to a one-line Spanish description (shown by the
standalone server's ``--help`` and its listing); ``MARKERS`` are the HTML/JavaScript strings
planted by ``marcadores`` that no report may carry unescaped. The server implements each name;
``CONNECTION_LEVEL`` names the behaviours served on their own port (decided before any HTTP).
"""

from __future__ import annotations

#: Strings that would run in a report that did not escape site text.
MARKERS = ("<script>window.__pwned=1</script>", "<img src=x onerror=alert(1)>")

BEHAVIOURS: dict[str, str] = {
    "sano": "copia íntegra del paquete, con los encabezados correctos",
    "encabezados-lentos": "envía los encabezados de cada respuesta byte por byte, sin fin",
    "encabezados-enormes": "responde con 2 MB de encabezados",
    "pagina-gigante": "index.html con un bloque degradado de 250,000 px de alto",
    "pagina-grande": "index.html con un bloque degradado de 60,000 px de alto",
    "main-goteo": "main.json anuncia 2 GB y los envía gota a gota",
    "bomba-gzip": "main.json comprimido con gzip: 1 GiB de ceros en 1 MB",
    "bomba-br": "main.json comprimido con brotli: 256 MiB de ceros en 405 bytes",
    "main-sin-fin": "main.json en trozos (chunked) que nunca termina",
    "sin-tls": "acepta la conexión TCP y nunca habla TLS (puerto propio)",
    "tls-sin-encabezados": "completa TLS, lee la solicitud y nunca responde",
    "consola": "la página escribe 20,000 errores de 2 KB en la consola",
    "sustituto": "la página escribe un sustituto UTF-16 solitario en la consola",
    "memoria": "la página reserva 400 MB por segundo sin fin",
    "archivos-atascados": "los archivos de datos envían encabezados y luego nada",
    "carpeta-404": "la carpeta de la elección responde 404",
    "redireccion-bucle": "la carpeta y main.json redirigen a sí mismos",
    "otro-host": "la carpeta y main.json redirigen a otro dominio (127.0.0.2, donde nada escucha)",
    "longitud-falsa": "Content-Length mayor que el cuerpo enviado",
    "error-cada-3": "HTTP 500 en cada tercera solicitud",
    "marcadores": "HTML y JavaScript en encabezados, título, main.json y nombres de archivo",
    "html-200": "HTTP 200 con una página HTML de error en lugar de cada archivo de datos",
    "login": "la carpeta redirige a una página de inicio de sesión; los datos piden 401",
    "redir-mailto": "la carpeta y main.json redirigen a mailto:",
    "redir-javascript": "la carpeta y main.json redirigen a javascript:",
    "redir-data": "la carpeta y main.json redirigen a data:",
    "json-anidado": "main.json es 50,000 corchetes [ anidados",
    "raiz-403": "sitio íntegro cuya raíz responde 403 (nginx sin índice en la raíz)",
    "raiz-404": "sitio íntegro cuya raíz responde 404 (Apache sin índice en la raíz)",
}

CONNECTION_LEVEL = frozenset({"sin-tls"})
