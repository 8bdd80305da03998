# transferkit — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.transferkit-installed

.PHONY: demo test lint typecheck pytest serve bench clean axe

# Bootstrap: create the virtual environment if missing and install the kit
# (editable, with test tools). Re-runs only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV): on Debian install python3-venv (apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/transferkit demo

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) axe
	$(BIN)/pytest

# axe-core (npm) for the accessibility checks of the browser tests, into the tests' own folder.
AXE := tests/browser/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): tests/browser/axe/package.json tests/browser/axe/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/browser/axe --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else \
	  echo "npm not found: the accessibility checks will skip (apt-get install npm to run them; CI installs it)"; \
	fi

serve: $(STAMP)
	$(BIN)/transferkit serve

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_evaluation.py

clean:
	rm -rf $(VENV) reports test-artifacts .pytest_cache .mypy_cache .ruff_cache tests/browser/axe/node_modules
