# Every target bootstraps .venv itself: a fresh machine needs only python3.11 and pip.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench docs venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# wirewatch's own bytecode written first, as an installed copy has it: with
# PYTHONDONTWRITEBYTECODE set, an editable install would compile every module at each start
# (a checkout it cannot write to starts as before)
run: $(STAMP)
	@$(BIN)/python -m compileall -qq fetchers tui >/dev/null 2>&1 || true
	$(BIN)/wirewatch $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check fetchers tui tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check fetchers tui tests bench
	$(BIN)/ruff format --check fetchers tui tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py $(ARGS)

# The README's screenshot, drawn by this build (tests/test_snapshots.py fails when it is stale).
docs: $(STAMP)
	$(BIN)/python bench/screenshot.py docs/screenshot.svg

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
