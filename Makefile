# Two commands for a fresh machine: `make run` (main job) and `make test` (whole test suite).
# Both create .venv when missing; nothing needs installing by hand.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help run test lab build figures notebooks changes lint format clean chromium benchmark \
	benchmark-loops

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN) ## Build the data, execute the notebooks, export the briefing figures
	$(PY) -m analysis run

TEST_WORKERS ?= auto
# One test process per core (pytest-xdist); the browser tests, which share one JupyterLab, stay
# in one process (ONE_PROCESS in tests/conftest.py). `make test TEST_WORKERS=0` runs in one process.
test: $(STAMP_DEV) chromium ## Run the whole test suite on every core (browser and slow tests included)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=10

# JupyterLab at the project root (data/raw/ one click away), opening on the notebooks folder.
LAB_OPTIONS := --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks \
	--LabApp.news_url=None \
	--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	--LabApp.extension_manager=readonly $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP_RUN) ## Open JupyterLab at the project root, on the notebooks folder
	$(PY) -m jupyter lab $(LAB_OPTIONS)

build: $(STAMP_RUN) ## Rebuild the datasets whose raw files changed
	$(PY) -m analysis build

figures: $(STAMP_RUN) ## Export the briefing figures to figures/
	$(PY) -m analysis figures

changes: $(STAMP_RUN) ## Show what changed since the previous build
	$(PY) -m analysis changes

benchmark: $(STAMP_DEV) ## Run the benchmarks and write benchmarks/RESULTS.md
	$(PY) benchmarks/run.py

benchmark-loops: $(STAMP_DEV) ## Time only the test suite and `make run` (part of benchmark)
	$(PY) benchmarks/run.py --loops

lint: $(STAMP_DEV) ## Check code style with ruff and the import layers with import-linter
	$(PY) -m ruff check src tests benchmarks
	$(VENV)/bin/lint-imports --no-cache --no-logo

format: $(STAMP_DEV) ## Format code with ruff
	$(PY) -m ruff format src tests benchmarks

chromium: ## Install Debian's Chromium for the browser test when it is missing
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

clean: ## Remove built data, executed notebooks and the virtual environment
	rm -rf $(VENV) data/processed build test-output
