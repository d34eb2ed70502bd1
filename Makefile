# Every target sets up what it needs itself: a fresh clone with Python 3.11,
# Node.js 20 and make is enough.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MP_RIG := tests/mp
CHIP_RIG := tests/chip

.PHONY: setup demo test bench clean

setup: $(VENV)/.installed $(MP_RIG)/node_modules/.installed $(CHIP_RIG)/node_modules/.installed

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
