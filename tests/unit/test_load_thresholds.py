"""Thresholds, generator saturation, Locust CSV readers and the over-time series (pure, no
network)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from prepcheck.checks.load import bandwidth, capacity, saturation, spike
from prepcheck.load.chart import series
from prepcheck.load.stats import load_window, rate_at_full_load, read_history, read_totals
from prepcheck.results import Status
from prepcheck.snapshots.load import (
    BandwidthMeasurement,
    Generator,
    LoadMeasurement,
    Thresholds,
    Totals,
)

LIMITS = Thresholds(
    p95_ms=500, p99_ms=2000, max_error_rate=0.01, target_rate=100, min_rate_ratio=0.9
)
WINDOW = (10.0, 19.0)
COOL = Generator(tuple((10.0 + i, "local", 20.0) for i in range(10)), WINDOW)


def totals(requests: int = 1000, failures: int = 0, p95: float = 100, p99: float = 200) -> Totals:
    return Totals(requests, failures, 10.0, p95, p99, p99 * 2, 100.0)


def run(measured: Totals, rate: float, generator: Generator = COOL) -> LoadMeasurement:
    return LoadMeasurement(measured, rate, LIMITS, generator, {"forma": "steady"})


def test_within_thresholds_passes() -> None:
    result = capacity(run(totals(), 99.0))
    assert result.status is Status.PASS
    assert result.evidence["p95_ms"] == 100 and result.evidence["umbrales"]["p95_ms"] == 500
    assert result.evidence["forma"] == "steady"  # the run's own evidence is kept
    assert result.evidence["generador"]["por_proceso"]["local"]["ocupacion_media"] == 20.0


def test_each_breach_fails_and_is_named() -> None:
    cases = {
        "p95 600 ms > 500 ms": (totals(p95=600), 100.0),
        "p99 2500 ms > 2000 ms": (totals(p99=2500), 100.0),
        "errores 5.00 % > 1.00 %": (totals(failures=50), 100.0),
        "sol/s logradas < 90.0": (totals(), 60.0),
    }
    for expected, (measured, rate) in cases.items():
        result = capacity(run(measured, rate))
        assert result.status is Status.FAIL, expected
        assert expected in result.message


def test_spike_judges_errors_and_p99_only_and_is_advisory() -> None:
    slow_but_clean = spike(run(totals(p95=900), 10.0))
    assert slow_but_clean.status is Status.PASS and slow_but_clean.id == "load.spike"
    erroring = spike(run(totals(failures=30), 100.0))
    assert erroring.status is Status.WARN


def test_saturated_generator_is_an_error_never_a_pass() -> None:
    hot = Generator(tuple((10.0 + i, "local", 99.0) for i in range(10)), WINDOW)
    warned = Generator((), None, "WARNING/root: CPU usage above 90%!")
    for generator in (hot, warned):
        result = capacity(run(totals(), 100.0, generator))
        assert result.status is Status.ERROR
        assert "generador saturado" in result.message


def test_no_requests_is_an_error() -> None:
    assert capacity(run(totals(0), 0.0)).status is Status.ERROR


def test_saturation_counts_only_samples_under_load() -> None:
    startup = [(0.5, "local", 100.0), (1.0, "local", 100.0)]  # importing Locust, not load
    under_load = [(10.0 + i, "local", 20.0) for i in range(10)]
    assert not saturation(startup + under_load, (10.0, 19.0)).saturated
    hot = [(10.0 + i, "worker1", 97.0 if i % 2 else 30.0) for i in range(10)]
    judged = saturation(under_load + hot, (10.0, 19.0))
    assert judged.saturated and judged.by_role["worker1"]["proporcion_saturada"] == 0.5
    assert not judged.by_role["local"]["proporcion_saturada"]


def test_locust_cpu_warning_in_the_log_means_saturated() -> None:
    log = "WARNING/root: CPU usage above 90%! This may constrain your throughput"
    judged = saturation([], None, log)
    assert judged.saturated and judged.locust_warned


def download(**facts: Any) -> BandwidthMeasurement:
    base = BandwidthMeasurement(files=("https://d/prep.csv",), streams=4, seconds=10.0)
    return replace(base, **facts)


def test_bandwidth_at_or_above_the_target_passes() -> None:
    result = bandwidth(download(bytes=25_000_000, downloads=3), 20)  # 20 Mbps over 10 s
    assert result.status is Status.PASS, result.message
    assert result.evidence["mbps"] == 20.0 and result.evidence["descargas_completas"] == 3
    assert result.message == "20.0 Mbps sostenidos en 10 s con 4 conexiones (mínimo 20 Mbps)."


def test_bandwidth_below_target_or_with_failures_warns() -> None:
    assert bandwidth(download(bytes=12_500_000), 20).status is Status.WARN  # 10 Mbps
    failing = bandwidth(download(bytes=50_000_000, failures=("https://d/prep.csv: HTTP 503",)), 20)
    assert failing.status is Status.WARN
    assert "1 descargas fallaron" in failing.message


def test_bandwidth_with_nothing_downloaded_is_an_error() -> None:
    nothing = bandwidth(download(failures=("https://d/prep.csv: ConnectError: x",)), 20)
    assert nothing.status is Status.ERROR and "No se descargó nada" in nothing.message
    unavailable = bandwidth(BandwidthMeasurement(unavailable="main.json no disponible (404)"), 20)
    assert unavailable.status is Status.ERROR
    assert unavailable.message == (
        "No se pudo medir el ancho de banda: main.json no disponible (404)."
    )


STATS = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,\
90%,95%,98%,99%,99.9%,99.99%,100%
GET,json/main.json,10,1,5,4.1,0.3,5.1,953.0,2.0,0.2,5,5,5,5,5,5,5,5,5,5,5
,Aggregated,267,3,2,3.8,0.3,82.4,5916.5,53.3,0.6,2,4,4,5,6,12,17,25,82,82,82
"""
HISTORY = """Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,\
99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,\
Total Average Response Time,Total Min Response Time,Total Max Response Time,\
Total Average Content Size
100,0,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,0,0,0,0.0,0,0,0
101,5,,Aggregated,10.0,0.0,5,10,12,13,17,25,28,82,82,82,82,20,0,5,9.4,0.3,82.4,8418.9
102,10,,Aggregated,40.0,0.0,5,10,12,13,17,20,28,82,82,82,82,60,0,5,9.4,0.3,82.4,8418.9
104,10,,Aggregated,50.0,1.0,5,10,12,13,17,22,28,82,82,82,82,160,1,5,9.4,0.3,82.4,8418.9
"""


def test_locust_csv_readers(tmp_path: Path) -> None:
    (tmp_path / "s_stats.csv").write_text(STATS)
    (tmp_path / "s_stats_history.csv").write_text(HISTORY)
    total = read_totals(tmp_path / "s_stats.csv")
    assert (total.requests, total.failures, total.p95_ms, total.p99_ms) == (267, 3, 12, 25)
    points = read_history(tmp_path / "s_stats_history.csv")
    assert [p.users for p in points] == [0, 5, 10, 10] and points[0].p95_ms is None
    assert load_window(points) == (101.0, 104.0)
    assert rate_at_full_load(points, 10) == 50.0  # (160 - 60) / (104 - 102)
    assert rate_at_full_load(points[:3], 10) is None


def test_series_reads_percentiles_and_holds_any_number_of_points(tmp_path: Path) -> None:
    (tmp_path / "s_stats_history.csv").write_text(HISTORY)
    points = read_history(tmp_path / "s_stats_history.csv")
    assert [(p.p50_ms, p.p95_ms, p.p99_ms) for p in points][1:] == [
        (5, 25, 82),
        (5, 20, 82),
        (5, 22, 82),
    ]
    found = series(points)
    assert found["segundos"] == [0.0, 1.0, 2.0, 4.0] and found["p99_ms"] == [None, 82, 82, 82]
    assert found["usuarios"] == [0, 5, 10, 10] and found["sol_por_segundo"][-1] == 50.0
    assert all(values == [] for values in series([]).values())
