"""Stop signals: a SIGTERM whose exception is lost still stops the command.

Python runs a signal handler between bytecodes; when that happens while C code is calling
back into Python (pydantic-core validating a path, for one), the handler's exception can be
reported as "Exception ignored" and dropped. These tests drop it on purpose, as that C code
does, and check that the request survives.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from types import FrameType

import pytest

from prepcheck.cli import entry
from prepcheck.errors import ConfigError
from prepcheck.lifecycle import stop_requested, stop_signals_handled
from prepcheck.results import EXIT_INTERRUPTED


class Lost(Exception):
    """What the handler raises; the code under test swallows it."""


def _raise_lost(_signum: int, _frame: FrameType | None) -> None:
    raise Lost


def _deliver_and_lose(signum: int = signal.SIGTERM) -> None:
    """Send ``signum`` to this process and swallow whatever its handler raises."""
    try:
        os.kill(os.getpid(), signum)
        time.sleep(1)  # the handler runs before this returns; the sleep is only a backstop
    except BaseException:
        pass


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_lost_stop_is_remembered_and_later_blocks_start_stopped(signum: int) -> None:
    with stop_signals_handled(_raise_lost) as received:
        _deliver_and_lose(signum)
        assert received.is_set()
        with stop_requested() as stop:
            assert stop.is_set()


def test_a_stop_handled_inside_does_not_mark_the_enclosing_block() -> None:
    with stop_signals_handled(_raise_lost) as outer:
        with stop_requested() as stop:
            os.kill(os.getpid(), signal.SIGTERM)
            assert stop.wait(5)
        assert not outer.is_set()
        with stop_requested() as later:
            assert not later.is_set()
    with stop_requested() as after:
        assert not after.is_set()


def test_main_ends_interrupted_when_the_command_lost_the_signal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def command(_args: argparse.Namespace) -> int:
        _deliver_and_lose()
        return 0

    parser = argparse.ArgumentParser()
    parser.set_defaults(handler=command)
    monkeypatch.setattr(entry, "build_parser", lambda: parser)
    previous = signal.getsignal(signal.SIGTERM)
    assert entry.main([]) == EXIT_INTERRUPTED
    assert "interrumpido" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) is previous


class _SignalsOnCollection:
    """Sends SIGTERM from ``__del__``: the handler's exception is then raised where Python can
    only report it as "Exception ignored", as when pydantic-core calls back into Python."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # backstop: the handler runs before this


@pytest.mark.parametrize("then", ["returns", "configuration-error"])
def test_a_stop_lost_in_c_code_ends_interrupted_without_a_traceback(
    then: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def command(_args: argparse.Namespace) -> int:
        _SignalsOnCollection()  # collected at once: the signal arrives inside __del__
        if then == "configuration-error":
            raise ConfigError("prepcheck.toml: falta la clave `election.name`")
        return 0

    parser = argparse.ArgumentParser()
    parser.set_defaults(handler=command)
    monkeypatch.setattr(entry, "build_parser", lambda: parser)
    assert entry.main([]) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert "interrumpido" in err
    # Under pytest an unreported exception would also fail the test as a
    # PytestUnraisableExceptionWarning (warnings are errors): pytest's own hook sits beneath.
    assert "Traceback" not in err and "Exception ignored" not in err
    assert ("election.name" in err) == (then == "configuration-error")


def test_a_lost_stop_before_an_argparse_error_still_ends_interrupted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def build() -> argparse.ArgumentParser:
        _SignalsOnCollection()  # the stop is lost while the parser is being built
        parser = argparse.ArgumentParser()
        parser.add_argument("--config", required=True)
        return parser

    monkeypatch.setattr(entry, "build_parser", build)
    assert entry.main([]) == EXIT_INTERRUPTED
    assert "interrumpido" in capsys.readouterr().err
