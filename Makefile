# Inscribe — `make run` starts the API on the embedded default; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT ?= 8000
WORKERS ?= 2
# make demo: the size of the demo book (inscribe demo --help)
CUSTOMERS ?= 300
YEARS ?= 3
SEED ?= 1

.PHONY: run demo test test-deep lint bench install worker clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p var
	@PORT=$(PORT) $(BIN)/inscribe serve --port $(PORT)

# A demo book of business in the database `make run` uses (INSCRIBE_DATABASE_URL or var/inscribe.db).
demo: $(STAMP)
	@mkdir -p var
	@$(BIN)/inscribe demo --customers $(CUSTOMERS) --years $(YEARS) --seed $(SEED)

worker: $(STAMP)
	@$(BIN)/inscribe projections run

test: $(STAMP)
	@$(BIN)/pytest -n $(WORKERS) -q

test-deep: $(STAMP)
	@HYPOTHESIS_PROFILE=deep $(BIN)/pytest -n $(WORKERS) -q

lint: $(STAMP)
	@$(BIN)/mypy

bench: $(STAMP)
	@$(BIN)/python -m bench

clean:
	rm -rf var .pytest_cache .hypothesis
