# Encore: `make run` starts the app, `make test` runs the whole suite. Both set up what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
STAMP_PWA := pwa/dist/.built
PWA_SOURCES := $(shell find pwa service-worker shared_model -type f -not -path 'pwa/dist/*' -not -name '*.pyc' 2>/dev/null)

.PHONY: run test setup lint lock bench chromium system clean

run: setup
	$(PY) -m backend serve

test: setup system
	$(PY) -m pytest -q -p no:cacheprovider

setup: $(STAMP_PY) $(STAMP_NPM) $(STAMP_PWA)

$(STAMP_PY): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

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
	rm -rf $(VENV) node_modules pwa/dist
