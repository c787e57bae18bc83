# Encore: `make run` starts the app, `make test` runs the whole suite. Both set up what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
STAMP_PWA := pwa/dist/.built
SUPYSONIC_VENV := .venv-supysonic
STAMP_SUPYSONIC := $(SUPYSONIC_VENV)/.installed
PWA_SOURCES := $(shell find pwa service-worker shared_model -type f -not -path 'pwa/dist/*' -not -name '*.pyc' 2>/dev/null)

.PHONY: run test setup lint lock bench chromium system supysonic clean

run: setup
	$(PY) -m backend serve

test: setup system supysonic
	$(PY) -m pytest -q -p no:cacheprovider

setup: $(STAMP_PY) $(STAMP_NPM) $(STAMP_PWA)

$(STAMP_PY): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# Supysonic (a real Subsonic server) for the tests, in its own environment: it is AGPL-3.0 and
# pins its own Flask/peewee, so it never shares Encore's .venv (tests/supysonic.py runs it).
$(STAMP_SUPYSONIC): tests/supysonic-requirements.txt
	test -x $(SUPYSONIC_VENV)/bin/python || $(PYTHON) -m venv $(SUPYSONIC_VENV)
	$(SUPYSONIC_VENV)/bin/python -m pip install --quiet -r tests/supysonic-requirements.txt
	touch $@

supysonic: $(STAMP_SUPYSONIC)

$(STAMP_NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STAMP_PWA): $(STAMP_NPM) $(PWA_SOURCES)
	@if [ -f service-worker/build.mjs ]; then npm run --silent build; fi
	@mkdir -p $(@D) && touch $@

# Debian packages the test suite runs for real: Chromium for Playwright (its own download cannot
# work here). One package per line, so parallel changes merge cleanly.
DEBIAN_PACKAGES := \
	chromium \
	ffmpeg \
	wrk \
	nginx \

system:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

chromium: system

lint: setup
	$(VENV)/bin/ruff check backend shared_model tests bench
	$(VENV)/bin/mypy backend shared_model

# Re-pin every Python package after changing pyproject.toml's dependencies.
lock: $(STAMP_PY)
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock

bench: setup
	$(PY) -m bench.recsys && $(PY) -m bench.model

clean:
	rm -rf $(VENV) $(SUPYSONIC_VENV) node_modules pwa/dist
