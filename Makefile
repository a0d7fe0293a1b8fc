# The two README commands:
#   make lab    set everything up from a fresh clone and open JupyterLab with the extension
#   make test   set everything up and run every test (unit, Python, browser end-to-end)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
CHROMIUM ?= /usr/bin/chromium
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test lint format install venv deps e2e-deps js chromium keychain-deps test-unit test-python test-e2e bench bench-save clean

lab: install
	jupyter lab $(ROOT_FLAG)

test: install e2e-deps chromium keychain-deps
	$(MAKE) --no-print-directory test-unit test-python test-e2e

# Python environment with the tools the JavaScript build calls (jupyter-builder).
venv:
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q "jupyterlab>=4.4,<5" "jupyter-builder>=1.2.3" "hatchling>=1.5" \
	  "hatch-nodejs-version>=0.3.2" "hatch-jupyter-builder>=0.9" build "ruff>=0.15" "mypy>=1.15"

# JavaScript dependencies exactly as locked (reinstalled only when a lock file changes): the
# extension's at the root, the browser tests' (Galata, Playwright) in test/e2e.
deps: venv node_modules/.installed
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

e2e-deps: test/e2e/node_modules/.installed
test/e2e/node_modules/.installed: test/e2e/package-lock.json
	npm ci --prefix test/e2e --no-audit --no-fund
	touch $@

# JavaScript dependencies (from the lock file) and the production labextension.
js: deps
	npm run build:prod

# Install the built package (wheel contents: labextension + server extension config).
install: js
	$(VENV)/bin/pip install -q --no-build-isolation ".[test]"
	@out=$$(jupyter labextension list 2>&1); echo "$$out" | grep "jupyterlab-github-token.*enabled.*OK" >/dev/null \
	  || { echo "$$out"; echo "jupyterlab-github-token is not installed and enabled"; exit 1; }

# Debian's Chromium for the browser tests (Playwright never downloads a browser here).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium not found at $(CHROMIUM): run 'sudo apt-get install chromium' (or set CHROMIUM=...)"; exit 1; \
	  fi; \
	fi

# A real Secret Service for the keychain tests (test/python/secret_service.py starts a private
# D-Bus session with GNOME Keyring in it; without these programs make test-python fails).
keychain-deps:
	@if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnome-keyring dbus >/dev/null; \
	  else \
	    echo "dbus-run-session or gnome-keyring-daemon not found: run 'sudo apt-get install gnome-keyring dbus'"; exit 1; \
	  fi; \
	fi

# Lint, format and type checks of every language in the repository; CI fails on any finding.
lint: deps
	eslint --max-warnings 0 src test
	prettier --check .
	stylelint "style/**/*.css"
	tsc --noEmit -p tsconfig.test.json
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Apply the formatters and the safe automatic fixes.
format: deps
	prettier --write --log-level warn .
	eslint --fix src test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test-unit:
	npx jest --coverage=false

test-python:
	REQUIRE_SECRET_SERVICE=1 $(VENV)/bin/python -m pytest test/python -q

test-e2e: e2e-deps
	rm -rf test/e2e/.state
	CHROMIUM_PATH=$(CHROMIUM) test/e2e/node_modules/.bin/playwright test -c test/e2e/playwright.config.js

# Start-up bytes of the built labextension (a report, not a test).
bench:
	$(VENV)/bin/python test/bench/startup_bytes.py
	node test/bench/scan_bench.js --python
	node test/bench/lexer_bench.js

# Ctrl+S of large notebooks with and without the leak guard, in Chromium (a report, not a test).
bench-save: install e2e-deps chromium
	rm -rf test/bench/.state
	# The bench lives beside the benches; Galata resolves from the browser tests' packages.
	NODE_PATH=$(CURDIR)/test/e2e/node_modules CHROMIUM_PATH=$(CHROMIUM) \
	  test/e2e/node_modules/.bin/playwright test -c test/bench/playwright.bench.config.js

clean:
	rm -rf lib jupyterlab_github_token/labextension tsconfig.tsbuildinfo test/e2e/.state test/e2e/test-results
