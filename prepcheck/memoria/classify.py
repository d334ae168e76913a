"""What kind of request a log line is, for a single-page app published as static files.

The PREP site is one HTML document whose views are hash routes (``#/diputaciones``): the
fragment never reaches the server. What the server sees per citizen action is therefore:

* ``pagina``  an HTML document (``index.html``, a folder ``/``, or an extension-less path):
  the site being opened or reloaded: the *page view*;
* ``vista``   a data JSON other than main.json: the SPA loading a view (election, distrito,
  municipio, sección): the closest server-side trace of a hash-route navigation;
* ``sondeo``  main.json: the page's periodic poll while it stays open (not a page view);
* ``descarga`` a results database file (CSV, ZIP, tar.gz);
* ``recurso`` everything else (CSS, JS, images, fonts, icons): hits only.

Contract: ``classify(path, poll_name)`` is pure; the query string is ignored.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["pagina", "vista", "sondeo", "descarga", "recurso"]
_PAGE_SUFFIXES = (".html", ".htm", "/")
_DOWNLOAD_SUFFIXES = (".csv", ".zip", ".tar.gz", ".tgz", ".gz")


def strip_query(path: str) -> str:
    return path.split("?", 1)[0].split("#", 1)[0]


def classify(path: str, poll_name: str = "main.json") -> Kind:
    """The kind of ``path`` (see the module docstring)."""
    clean = strip_query(path).lower()
    if clean.endswith("/" + poll_name.lower()):
        return "sondeo"
    if clean.endswith(".json"):
        return "vista"
    if clean.endswith(_DOWNLOAD_SUFFIXES):
        return "descarga"
    last = clean.rsplit("/", 1)[-1]
    if clean.endswith(_PAGE_SUFFIXES) or "." not in last:
        return "pagina"
    return "recurso"
