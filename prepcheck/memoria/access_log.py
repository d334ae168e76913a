"""Access-log statistics for the memoria técnica, computed in one streaming pass.

Rules (stated verbatim in the report through ``RULES_ES``):

* **hit**: every request line that parses, whatever its status or kind.
* **visitante**: a distinct (client IP, local date, user agent), as GoAccess counts unique
  visitors; the period's total is the sum over its days.
* **visita** (session): the requests of one (IP, user agent) with no gap of ``visit_timeout``
  (default 30 min) or more; a gap of exactly the timeout starts a new visit. A visit belongs
  to the day it starts; its duration is last request minus first (a one-request visit lasts
  0 s). The page polls main.json while open, so duration is the time the page stayed open.
* **página vista**: a successful (2xx/304) GET/HEAD of an HTML document (``classify``); main.json
  polls, view data (JSON), downloads and resources are counted apart.
* **páginas consultadas**: the top N paths (query string removed) among successful page and
  view requests; hash routes never reach the server, their data files stand for them.
* Days are local dates in the election's UTC offset; requests outside ``[start, end]`` are
  counted as outside the period and otherwise ignored. Robots are not filtered out.

Memory: per-day visitor sets (hashes of IP and user agent), open visits (expired as the log
advances), path counters; never the log itself. Malformed lines are counted, the first kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from prepcheck.formats.logformat import LogFormat, LogRecord
from prepcheck.memoria.classify import Kind, classify, strip_query
from prepcheck.memoria.logfiles import iter_lines, order_files
from prepcheck.snapshots.text import clean_text

MAX_SAMPLES = 10
_EXPIRE_EVERY = 50_000
_EXPIRE_SLACK = timedelta(minutes=5)  # servers log at completion: lines are nearly ordered
DURATION_BUCKETS: tuple[tuple[str, float], ...] = (
    ("0 s (una sola solicitud)", 0),
    ("menos de 1 min", 60),
    ("1 a 5 min", 300),
    ("5 a 15 min", 900),
    ("15 a 30 min", 1800),
    ("30 a 60 min", 3600),
    ("más de 1 h", float("inf")),
)


def rules_es(visit_timeout: timedelta, top: int, utc_offset: str) -> list[str]:
    """The counting rules, in Spanish, as the memoria states them."""
    minutes = int(visit_timeout.total_seconds() // 60)
    return [
        "Hit: cada solicitud registrada en la bitácora, sin importar su tipo ni su resultado.",
        "Visitante: combinación distinta de dirección IP, fecha y agente de usuario (regla de "
        "GoAccess); el total del periodo es la suma de los visitantes de cada día.",
        f"Visita: solicitudes de una misma IP y agente de usuario sin pausas de {minutes} min o "
        f"más; una pausa de exactamente {minutes} min inicia otra visita. La visita cuenta en el "
        "día en que empieza; su duración va de la primera a la última solicitud (una visita de "
        "una sola solicitud dura 0 s). Como la página consulta main.json periódicamente mientras "
        "está abierta, la duración refleja el tiempo que la página permaneció abierta.",
        "Página vista: solicitud exitosa (2xx o 304) de un documento HTML (index.html o una "
        "carpeta). Las consultas periódicas de main.json, los datos de cada vista (JSON), las "
        "descargas (CSV/ZIP) y los recursos (CSS, JS, imágenes) se cuentan por separado y no son "
        "páginas vistas.",
        "Vistas del PREP: el sitio es una aplicación de una sola página; sus rutas (#/...) no "
        "llegan al servidor, por lo que cada vista consultada se mide por el archivo JSON de "
        "datos que la página solicita al abrirla.",
        f"Páginas consultadas: las {top} rutas más solicitadas entre páginas y datos de vistas, "
        "sin parámetros de consulta.",
        f"Días: fecha local con desfase UTC {utc_offset}. No se excluyen robots ni rastreadores.",
    ]


@dataclass
class _Day:
    visitors: set[int] = field(default_factory=set)
    visits: int = 0
    visit_seconds: float = 0.0
    hits: int = 0
    bytes: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    errors: int = 0


@dataclass
class _Visit:
    start: datetime
    last: datetime


class AccessStats:
    """Accumulates records of ``[start, end]`` (local dates in ``tz``); see the module rules."""

    def __init__(
        self,
        start: date,
        end: date,
        tz: timezone,
        *,
        visit_timeout: timedelta = timedelta(minutes=30),
        top: int = 20,
        poll_name: str = "main.json",
    ) -> None:
        self.start, self.end, self.tz = start, end, tz
        self.visit_timeout, self.top, self.poll_name = visit_timeout, top, poll_name
        self.days: dict[date, _Day] = {}
        self.open: dict[int, _Visit] = {}
        self.durations: Counter[int] = Counter()
        self.paths: Counter[str] = Counter()
        self.lines = self.malformed = self.outside = 0
        self.samples: list[str] = []
        self.problems: list[str] = []
        self.latest: datetime | None = None
        self._last_time: datetime | None = None
        self._last_local = datetime.min

    # --- feeding ------------------------------------------------------------------------------

    def add_file(self, path: Path, log_format: LogFormat) -> None:
        """Stream one file (plain or gzip); malformed lines are counted, never raised."""
        for number, line in iter_lines(path, self.problems):
            self.lines += 1
            record = log_format.parse(line)
            if record is None:
                self._malformed(path.name, number, line)
                continue
            self.add(record)
            if self.lines % _EXPIRE_EVERY == 0:
                self._expire()

    def _malformed(self, name: str, number: int, line: str) -> None:
        self.malformed += 1
        if len(self.samples) < MAX_SAMPLES:  # a log's bytes are shown as text, never as is
            self.samples.append(f"{name}:{number}: {clean_text(line.strip(), 160)}")

    def add(self, record: LogRecord) -> None:
        """Count one parsed request."""
        if record.time is not self._last_time:  # many lines share a second: convert once
            self._last_time, self._last_local = record.time, record.time.astimezone(self.tz)
        local = self._last_local
        day = local.date()
        if not self.start <= day <= self.end:
            self.outside += 1
            return
        if self.latest is None or local > self.latest:
            self.latest = local
        stats = self._day(day)
        key = hash((record.client, record.user_agent))
        stats.visitors.add(key)
        stats.hits += 1
        stats.bytes += record.bytes
        if record.status is not None and record.status >= 400:
            stats.errors += 1
        kind = self._kind(record)
        if kind is not None:
            stats.kinds[kind] += 1
            if kind in ("pagina", "vista") and record.path is not None:
                self.paths[strip_query(record.path)] += 1
        self._visit(key, local)

    def _day(self, day: date) -> _Day:
        stats = self.days.get(day)
        if stats is None:
            stats = self.days[day] = _Day()
        return stats

    def _kind(self, record: LogRecord) -> Kind | None:
        """The request's kind when it succeeded (2xx/304 GET/HEAD), else None (a hit only)."""
        ok = record.status is not None and (200 <= record.status < 300 or record.status == 304)
        if not ok or record.path is None or record.method not in ("GET", "HEAD"):
            return None
        return classify(record.path, self.poll_name)

    def _visit(self, key: int, moment: datetime) -> None:
        visit = self.open.get(key)
        if visit is not None and moment - visit.last >= self.visit_timeout:
            self._close(visit)
            visit = None
        if visit is None:
            self.open[key] = _Visit(moment, moment)
        elif moment > visit.last:
            visit.last = moment
        elif moment < visit.start:
            visit.start = moment

    def _close(self, visit: _Visit) -> None:
        seconds = (visit.last - visit.start).total_seconds()
        day = self._day(visit.start.date())
        day.visits += 1
        day.visit_seconds += seconds
        self.durations[round(seconds)] += 1

    def _expire(self) -> None:
        """Close visits idle longer than the timeout (bounded memory on long logs)."""
        if self.latest is None:
            return
        horizon = self.latest - self.visit_timeout - _EXPIRE_SLACK
        for key in [k for k, v in self.open.items() if v.last < horizon]:
            self._close(self.open.pop(key))

    # --- results ------------------------------------------------------------------------------

    def finish(self) -> dict[str, Any]:
        """Close every open visit and return the JSON-ready statistics."""
        for visit in self.open.values():
            self._close(visit)
        self.open.clear()
        per_day = [self._day_row(d) for d in _dates(self.start, self.end)]
        totals = {
            key: sum(row[key] for row in per_day)
            for key in ("visitantes", "visitas", "paginas_vistas", "vistas", "sondeos_main",
                        "descargas", "recursos", "hits", "errores", "bytes")
        }  # fmt: skip
        return {
            "desde": self.start.isoformat(),
            "hasta": self.end.isoformat(),
            "totales": totals | self._durations(),
            "por_dia": per_day,
            "paginas_consultadas": [
                {"ruta": path, "solicitudes": count}
                for path, count in self.paths.most_common(self.top)
            ],
            "duraciones": self._histogram(),
            "lineas": self.lines,
            "lineas_malformadas": self.malformed,
            "muestras_malformadas": list(self.samples),
            "fuera_del_periodo": self.outside,
            "problemas_de_lectura": list(self.problems),
        }

    def _day_row(self, day: date) -> dict[str, Any]:
        stats = self.days.get(day, _Day())
        return {
            "fecha": day.isoformat(),
            "visitantes": len(stats.visitors),
            "visitas": stats.visits,
            "paginas_vistas": stats.kinds["pagina"],
            "vistas": stats.kinds["vista"],
            "sondeos_main": stats.kinds["sondeo"],
            "descargas": stats.kinds["descarga"],
            "recursos": stats.kinds["recurso"],
            "hits": stats.hits,
            "errores": stats.errors,
            "bytes": stats.bytes,
            "duracion_media_s": round(stats.visit_seconds / stats.visits, 1) if stats.visits else 0,
        }

    def _durations(self) -> dict[str, float]:
        values = self.durations
        count = sum(values.values())
        if not count:
            return {"duracion_media_s": 0, "duracion_mediana_s": 0}
        mean = sum(s * n for s, n in values.items()) / count
        median = _median_low(values, count)
        return {"duracion_media_s": round(mean, 1), "duracion_mediana_s": median}

    def _histogram(self) -> list[dict[str, Any]]:
        counts = [0] * len(DURATION_BUCKETS)
        for seconds, number in self.durations.items():
            counts[_bucket(seconds)] += number
        return [
            {"rango": label, "visitas": n}
            for (label, _), n in zip(DURATION_BUCKETS, counts, strict=True)
        ]


def analyze(
    paths: Sequence[Path],
    log_format: LogFormat,
    start: date,
    end: date,
    tz: timezone,
    **options: Any,
) -> dict[str, Any]:
    """Statistics of ``paths`` (oldest first by content) over local dates ``[start, end]``."""
    stats = AccessStats(start, end, tz, **options)
    for path in order_files(paths, log_format):
        stats.add_file(path, log_format)
    result = stats.finish()
    result["archivos"] = [str(p) for p in paths]
    return result


def _dates(start: date, end: date) -> Iterable[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _median_low(values: Counter[int], count: int) -> int:
    """The low median of a multiset given as value -> multiplicity (no expansion)."""
    wanted = (count - 1) // 2
    seen = 0
    for seconds in sorted(values):
        seen += values[seconds]
        if seen > wanted:
            return seconds
    raise ValueError("empty multiset")


def _bucket(seconds: int) -> int:
    """Index in ``DURATION_BUCKETS``: exactly 0, then half-open ranges ``[low, high)``."""
    if seconds == 0:
        return 0
    return next(i for i, (_, limit) in enumerate(DURATION_BUCKETS) if i and seconds < limit)
