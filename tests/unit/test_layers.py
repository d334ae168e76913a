"""The layering the README draws holds: import-linter's contracts, and what importing the pure
layers actually loads."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NETWORK_AND_BROWSER = ("httpx", "pycurl", "playwright", "sslyze", "locust", "asyncssh")


def loaded_after_import(module: str) -> set[str]:
    code = (
        f"import json, sys; import {module}; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(json.loads(done.stdout))


@pytest.mark.parametrize(
    "module", ["prepcheck.checks", "prepcheck.checks.registry", "prepcheck.results"]
)
def test_pure_layers_load_no_network_or_browser_library(module):
    assert loaded_after_import(module).isdisjoint(NETWORK_AND_BROWSER)


def test_import_linter_contracts_hold():
    binary = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert binary is not None, "import-linter is a dev dependency (make install)"
    done = subprocess.run([binary], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stdout[-4000:]
    assert "0 broken" in done.stdout
