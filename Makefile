# Every target sets up what it needs itself: a fresh clone with Python 3.11,
# Node.js 20 and make is enough.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MP_RIG := tests/mp
CHIP_RIG := tests/chip
# Debian's Chromium: the browser test (tests/test_web.py) drives it through
# Playwright, which is never let to download a browser of its own.
CHROMIUM := /usr/bin/chromium

.PHONY: setup demo test bench clean

setup: $(VENV)/.installed $(MP_RIG)/node_modules/.installed $(CHIP_RIG)/node_modules/.installed $(CHROMIUM)

$(VENV)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(MP_RIG)/node_modules/.installed: $(MP_RIG)/package.json $(MP_RIG)/package-lock.json
	npm ci --prefix $(MP_RIG) --no-audit --no-fund --loglevel=error
	touch $@

# rp2040js for the emulated Pico (tests/chip/rig.py); the runner and the
# MicroPython firmware come from ../shared/rp2 or RP2_DIR / RP2_FIRMWARE.
$(CHIP_RIG)/node_modules/.installed: $(CHIP_RIG)/package.json $(CHIP_RIG)/package-lock.json
	npm ci --prefix $(CHIP_RIG) --no-audit --no-fund --loglevel=error
	touch $@

# The binary is the target: once it is there, setup does not ask apt again.
# apt-get needs root: as root it runs as is, otherwise through sudo when
# there is one; with neither, setup says what to run and fails.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then sudo=; \
	elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
	else echo "make setup: $(CHROMIUM) missing; as root run: apt-get update && apt-get install -y --no-install-recommends chromium" >&2; exit 1; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	echo "make setup: $(CHROMIUM) missing and no apt-get here: install Chromium so that $(CHROMIUM) runs it" >&2; exit 1; fi; \
	echo "make setup: installing Debian's chromium for the browser test"; \
	$$sudo apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
	@test -x $@ || { echo "make setup: chromium installed but $@ is not there" >&2; exit 1; }

# A simulated daily session drawn in the terminal.
demo: setup
	$(PY) -m sim run --routine daily --realtime

test: setup
	$(PY) -m pytest

# The quick loop while working: every test not marked slow (see pyproject.toml).
.PHONY: check
check: setup
	$(PY) -m pytest -m "not slow" -q

bench: setup
	$(PY) tests/bench.py

clean:
	rm -rf $(VENV) $(MP_RIG)/node_modules $(CHIP_RIG)/node_modules $(CHIP_RIG)/.runner .pytest_cache .hypothesis
