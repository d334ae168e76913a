# prepcheck: `make demo` and `make test` install what is missing first (idempotent).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEBIAN_PACKAGES := chromium chromium-headless-shell nginx apache2 openssh-server testssl.sh wrk curl libnss3-tools
DEBIAN_BINARIES := /usr/bin/chromium /usr/bin/chromium-headless-shell /usr/sbin/nginx /usr/sbin/apache2 /usr/sbin/sshd /usr/bin/testssl /usr/bin/wrk /usr/bin/curl /usr/bin/certutil

.PHONY: install demo test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@missing=""; for b in $(DEBIAN_BINARIES); do [ -x "$$b" ] || missing="yes"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $(DEBIAN_PACKAGES)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; \
	fi
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

demo: install
	$(VENV)/bin/prepcheck demo --out reports/demo

# Test files run in parallel, each file on one worker (its module-scoped servers are started
# once): e2e tests mostly wait on servers, browsers and sleeps, so 4 workers fit 2 cores. Files
# start in the suite's own order (slow ones first, tests/conftest.py), not by test count.
test: install
	$(VENV)/bin/pytest -n 4 --dist loadfile --no-loadscope-reorder

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install
	@for b in bench/*.py; do case "$$b" in */_*) continue;; esac; echo "== $$b"; $(PY) "$$b" --quick || exit 1; done

clean:
	rm -rf reports .prepcheck .pytest_cache .mypy_cache .ruff_cache
