"""The reference ingest procedure: atomic publication, history, refusals, watch mode, kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from archive_factory import (
    BAD_KINDS,
    SITE_V1,
    SITE_V2,
    snapshot,
    tar_files,
    tree,
    write_sidecar,
    write_zip,
)

from prepcheck.archive.digest import file_digest, read_sidecar
from prepcheck.demo.simulacro import CENTRE_TIME
from prepcheck.ingest import PAUSE_ENV, PAUSE_SECONDS_ENV, current_release, ingest, watch
from prepcheck.probes.publication import expected_files
from prepcheck.sample.rehearsal import MARKER_NAME, build_rehearsal

V1 = "20210606_2100_PREP_VER.zip"
V2 = "20210606_2115_PREP_VER.tar.gz"
REHEARSAL = datetime(2021, 6, 6, 21, 16, tzinfo=CENTRE_TIME)


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / name for name in ("uploads", "root", "history", "quarantine")}
    paths["uploads"].mkdir()
    return paths


def package(folder: Path, name: str, files: dict[str, bytes], algorithm: str = "sha256") -> Path:
    archive = folder / name
    (tar_files if name.endswith(".tar.gz") else write_zip)(archive, files)
    write_sidecar(archive, algorithm)
    return archive


def publish(archive: Path, dirs: dict[str, Path], **kwargs: object) -> str:
    outcome = ingest(archive, root=dirs["root"], history=dirs["history"], **kwargs)  # type: ignore[arg-type]
    return outcome.status


def site(dirs: dict[str, Path]) -> dict[str, bytes]:
    return tree(dirs["root"] / "current")


def log_events(dirs: dict[str, Path]) -> list[str]:
    lines = (dirs["history"] / "ingest.log").read_text().splitlines()
    return [json.loads(line)["event"] for line in lines]


# --- publication -----------------------------------------------------------------------------


def test_publish_switches_current_and_keeps_history(dirs: dict[str, Path]) -> None:
    v1, v2 = package(dirs["uploads"], V1, SITE_V1), package(dirs["uploads"], V2, SITE_V2)
    outcome = ingest(v1, root=dirs["root"], history=dirs["history"])
    assert (outcome.status, outcome.corte) == ("published", "20210606_2100")
    assert os.readlink(dirs["root"] / "current") == f"releases/{outcome.release}"
    assert site(dirs) == SITE_V1
    assert publish(v2, dirs) == "published"
    assert site(dirs) == SITE_V2
    history = {p.name: p.read_bytes() for p in dirs["history"].iterdir()}
    assert history[V1] == v1.read_bytes() and history[V2] == v2.read_bytes()
    assert history[f"{V2}.sha256"].decode().endswith(f"  {V2}\n")
    assert log_events(dirs) == ["published", "published"]
    assert [p.name for p in dirs["root"].iterdir() if p.name.startswith(".staging")] == []


def test_same_package_twice_is_already_published_and_changes_nothing(
    dirs: dict[str, Path],
) -> None:
    v1 = package(dirs["uploads"], V1, SITE_V1)
    publish(v1, dirs)
    before_root, before_history = snapshot(dirs["root"]), snapshot(dirs["history"])
    assert publish(v1, dirs) == "already-published"
    assert snapshot(dirs["root"]) == before_root
    after_history = snapshot(dirs["history"])
    assert after_history.pop("ingest.log") != before_history.pop("ingest.log")  # event logged
    assert after_history == before_history


@pytest.mark.parametrize("algorithm", ["md5", "sha512"])
def test_md5_and_sha512_sidecars_are_accepted(dirs: dict[str, Path], algorithm: str) -> None:
    v1 = package(dirs["uploads"], V1, SITE_V1, algorithm)
    assert publish(v1, dirs) == "published"
    assert (dirs["history"] / f"{V1}.{algorithm}").is_file()


def test_expected_digest_can_be_given_directly(dirs: dict[str, Path]) -> None:
    v1 = write_zip(dirs["uploads"] / V1, SITE_V1)  # no sidecar at all
    assert publish(v1, dirs) == "rejected"
    assert publish(v1, dirs, expected_digest=file_digest(v1)) == "published"


def test_digest_mismatch_is_rejected_and_the_previous_corte_stays(dirs: dict[str, Path]) -> None:
    publish(package(dirs["uploads"], V1, SITE_V1), dirs)
    v2 = package(dirs["uploads"], V2, SITE_V2)
    with open(v2, "ab") as handle:
        handle.write(b"tampered")
    before = snapshot(dirs["root"])
    outcome = ingest(v2, root=dirs["root"], history=dirs["history"])
    assert outcome.status == "rejected"
    assert "la huella sha256 no coincide: se esperaba" in outcome.reason
    assert snapshot(dirs["root"]) == before and site(dirs) == SITE_V1
    assert not (dirs["history"] / V2).exists()


@pytest.mark.parametrize("kind", sorted(BAD_KINDS))
def test_bad_archive_leaves_the_published_site_byte_identical(
    dirs: dict[str, Path], kind: str
) -> None:
    publish(package(dirs["uploads"], V1, SITE_V1), dirs)
    build, words, limits = BAD_KINDS[kind]
    bad = dirs["uploads"] / V2
    build(bad)
    write_sidecar(bad)
    before = snapshot(dirs["root"])
    outcome = ingest(bad, root=dirs["root"], history=dirs["history"], limits=limits)
    assert outcome.status == "rejected" and words in outcome.reason
    assert snapshot(dirs["root"]) == before
    assert not (dirs["history"] / V2).exists()


def test_older_corte_is_refused_unless_forced(dirs: dict[str, Path]) -> None:
    v1, v2 = package(dirs["uploads"], V1, SITE_V1), package(dirs["uploads"], V2, SITE_V2)
    publish(v2, dirs)
    outcome = ingest(v1, root=dirs["root"], history=dirs["history"])
    assert outcome.status == "rejected"
    assert "es anterior al publicado (20210606_2115)" in outcome.reason
    assert site(dirs) == SITE_V2
    assert publish(v1, dirs, force=True) == "published"
    assert site(dirs) == SITE_V1


def test_same_corte_from_a_different_package_needs_force(dirs: dict[str, Path]) -> None:
    publish(package(dirs["uploads"], V1, SITE_V1), dirs)
    other = package(dirs["uploads"], V1.replace(".zip", ".tar.gz"), SITE_V2)
    outcome = ingest(other, root=dirs["root"], history=dirs["history"])
    assert outcome.status == "rejected" and "ya está publicado con otro paquete" in outcome.reason
    assert publish(other, dirs, force=True) == "published" and site(dirs) == SITE_V2


def test_history_is_never_overwritten(dirs: dict[str, Path]) -> None:
    v1 = package(dirs["uploads"], V1, SITE_V1)
    publish(v1, dirs)
    kept = (dirs["history"] / V1).read_bytes()
    second = dirs["uploads"] / "again"
    second.mkdir()
    impostor = package(second, V1, SITE_V2)  # same name, other bytes
    outcome = ingest(impostor, root=dirs["root"], history=dirs["history"], force=True)
    assert outcome.status == "rejected" and "no se sobrescribe" in outcome.reason
    assert (dirs["history"] / V1).read_bytes() == kept and site(dirs) == SITE_V1


def test_old_releases_are_pruned_but_never_the_current_one(dirs: dict[str, Path]) -> None:
    names = [f"20210606_{hour}00_PREP_VER.zip" for hour in (19, 20, 21, 22)]
    archives = [package(dirs["uploads"], n, {**SITE_V1, "n.txt": n.encode()}) for n in names]
    for archive in archives:
        assert publish(archive, dirs, keep_releases=2) == "published"
    releases = sorted(p.name for p in (dirs["root"] / "releases").iterdir())
    assert [r[:13] for r in releases] == ["20210606_2100", "20210606_2200"]
    assert publish(archives[0], dirs, force=True, keep_releases=1) == "published"
    assert current_release(dirs["root"]) in os.listdir(dirs["root"] / "releases")
    assert tree(dirs["root"] / "current")["n.txt"] == names[0].encode()
    assert log_events(dirs).count("pruned") == 3


def test_leftovers_of_a_killed_run_are_cleaned_at_the_next_ingest(dirs: dict[str, Path]) -> None:
    publish(package(dirs["uploads"], V1, SITE_V1), dirs)
    (dirs["root"] / ".staging-20210606_2115-dead").mkdir()
    (dirs["root"] / ".staging-20210606_2115-dead/half.json").write_text("{")
    (dirs["root"] / "current.tmp").symlink_to("releases/nowhere")
    assert publish(package(dirs["uploads"], V2, SITE_V2), dirs) == "published"
    assert sorted(p.name for p in dirs["root"].iterdir()) == [".ingest.lock", "current", "releases"]
    assert log_events(dirs).count("recovered") == 2


# --- watch mode ------------------------------------------------------------------------------


def test_watch_takes_a_slow_upload_only_when_complete_and_quarantines_a_bad_one(
    dirs: dict[str, Path], tmp_path: Path
) -> None:
    staged = tmp_path / "staged"
    staged.mkdir()
    good = package(staged, V1, SITE_V1)
    bad = package(dirs["uploads"], V2, SITE_V2)
    with open(bad, "ab") as handle:
        handle.write(b"corrupted in transit")
    data = good.read_bytes()

    def slow_upload() -> None:
        (dirs["uploads"] / f"{V1}.sha256").write_bytes(good.with_name(f"{V1}.sha256").read_bytes())
        with open(dirs["uploads"] / V1, "wb") as out:
            out.write(data[: len(data) // 2])
            out.flush()
            time.sleep(0.8)  # longer than a poll, shorter than stable_seconds
            out.write(data[len(data) // 2 :])

    writer = threading.Thread(target=slow_upload)
    writer.start()
    outcomes = watch(
        dirs["uploads"], root=dirs["root"], history=dirs["history"],
        quarantine=dirs["quarantine"], poll_seconds=0.1, stable_seconds=1.0, max_iterations=30,
    )  # fmt: skip
    writer.join()
    assert sorted(o.status for o in outcomes) == ["published", "rejected"]
    assert site(dirs) == SITE_V1
    assert list(dirs["uploads"].iterdir()) == []
    quarantined = sorted(p.name for p in dirs["quarantine"].iterdir())
    assert quarantined == [V2, f"{V2}.reason.txt", f"{V2}.sha256"]
    reason = (dirs["quarantine"] / f"{V2}.reason.txt").read_text()
    assert "la huella sha256 no coincide" in reason
    assert "quarantined" in log_events(dirs)


def test_watch_ignores_uploads_without_sidecar_and_stops_on_event(dirs: dict[str, Path]) -> None:
    write_zip(dirs["uploads"] / V1, SITE_V1)
    stop = threading.Event()
    stop.set()
    assert watch(
        dirs["uploads"], root=dirs["root"], history=dirs["history"],
        quarantine=dirs["quarantine"], stop_event=stop,
    ) == []  # fmt: skip
    outcomes = watch(
        dirs["uploads"], root=dirs["root"], history=dirs["history"],
        quarantine=dirs["quarantine"], poll_seconds=0.05, stable_seconds=0.0, max_iterations=3,
    )  # fmt: skip
    assert outcomes == [] and (dirs["uploads"] / V1).exists()


# --- kill -9 ---------------------------------------------------------------------------------

_CHILD = (
    "import sys; from pathlib import Path; from prepcheck.ingest import ingest; "
    "ingest(Path(sys.argv[1]), root=Path(sys.argv[2]), history=Path(sys.argv[3]))"
)


def _kill_at(point: str, archive: Path, dirs: dict[str, Path]) -> None:
    env = {**os.environ, PAUSE_ENV: point, PAUSE_SECONDS_ENV: "30"}
    args = [sys.executable, "-c", _CHILD, str(archive), str(dirs["root"]), str(dirs["history"])]
    child = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stderr is not None
        line = child.stderr.readline()
        assert line.strip() == f"PREPCHECK_INGEST_PAUSED {point}", line
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
        if child.stderr is not None:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL


@pytest.mark.parametrize(
    ("point", "visible"),
    [("during-extract", SITE_V1), ("before-switch", SITE_V1), ("after-switch", SITE_V2)],
)
def test_kill_9_leaves_one_complete_corte_and_the_next_ingest_succeeds(
    dirs: dict[str, Path], point: str, visible: dict[str, bytes]
) -> None:
    publish(package(dirs["uploads"], V1, SITE_V1), dirs)
    v2 = package(dirs["uploads"], V2, SITE_V2)
    _kill_at(point, v2, dirs)
    assert site(dirs) == visible
    assert publish(v2, dirs) in ("published", "already-published")
    assert site(dirs) == SITE_V2
    names = [p.name for p in dirs["root"].iterdir()]
    assert not [n for n in names if n.startswith((".staging", "current."))]


def test_rehearsal_packages_are_marked_and_the_corrupt_digest_does_not_match(tmp_path):
    options = {"folder": "prepver2021", "utc_offset": CENTRE_TIME}
    valid = build_rehearsal(REHEARSAL, tmp_path / "v", **options)
    assert read_sidecar(valid.digest_file)[1] == file_digest(valid.archive) == valid.sha256
    paths = {f.path for f in expected_files(valid.archive)}
    assert f"prepver2021/{MARKER_NAME}" in paths and "prepver2021/json/main.json" in paths
    bad = build_rehearsal(REHEARSAL, tmp_path / "c", corrupt_digest=True, **options)
    assert read_sidecar(bad.digest_file)[1] != file_digest(bad.archive)
    root, history = tmp_path / "site", tmp_path / "history"
    assert ingest(valid.archive, root=root, history=history).status == "published"
    assert ingest(bad.archive, root=root, history=history).status == "rejected"
