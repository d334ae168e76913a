"""The Jinja2 environment of every page prepcheck writes (report, board, memoria).

Contract: autoescape is always on (site text may hold ``<script>``; it must never run) and
undefined names fail loudly. Every page carries a Content-Security-Policy that forbids any
request (images only as ``data:`` URIs) and any script but :data:`SCRIPT`, allowed by its
hash: even text that escaped escaping could neither run nor call out. :data:`SCRIPT` only
opens or closes the ``<details>`` sections (buttons, and before printing); every page reads
fully without it.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from prepcheck.report import es

TEMPLATES = Path(__file__).with_name("templates")
SCRIPT = (
    "(function(){var all=function(s){return document.querySelectorAll(s);};"
    "all('[data-toggle-all]').forEach(function(b){b.hidden=false;"
    "b.addEventListener('click',function(){var open=b.getAttribute('data-toggle-all')==='open';"
    "all('details:not(.raw)').forEach(function(d){d.open=open;});});});"
    "window.addEventListener('beforeprint',function(){"
    "all('details[data-print-open]').forEach(function(d){d.open=true;});});})();"
)
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; base-uri 'none'; form-action 'none'"
)


@cache
def environment(*extra: Path) -> Environment:
    """The shared environment; ``extra`` template folders are searched first."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader([*map(str, extra), str(TEMPLATES)])]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(csp=CSP, script=Markup(SCRIPT))
    env.filters.update(
        number=es.number,
        size=es.size,
        duration=es.duration,
        date=es.date_text,
    )
    return env
