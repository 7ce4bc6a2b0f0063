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

.PHONY: run demo test test-deep lint bench contract install worker clean clean-data

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p -m 700 var
	@$(BIN)/inscribe db upgrade
	@PORT=$(PORT) $(BIN)/inscribe serve --port $(PORT)

# A demo book of business in the database `make run` uses (INSCRIBE_DATABASE_URL or var/inscribe.db).
# It must hold no events yet: `make run` alone records none; after commands, `make clean-data demo`.
demo: $(STAMP)
	@mkdir -p -m 700 var
	@$(BIN)/inscribe demo --customers $(CUSTOMERS) --years $(YEARS) --seed $(SEED)

worker: $(STAMP)
	@$(BIN)/inscribe projections run

# Tests write bytecode even where the environment says not to (PYTHONDONTWRITEBYTECODE): every worker and every
# fresh interpreter a test starts would otherwise compile the product, and pytest rewrite its plugins, again.
# A module whose tests share one costly fixture keeps them on one worker (pytest.mark.xdist_group).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(WORKERS) --dist loadgroup -q

test: $(STAMP)
	@$(PYTEST)

test-deep: $(STAMP)
	@HYPOTHESIS_PROFILE=deep $(PYTEST)

lint: $(STAMP)
	@$(BIN)/mypy
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

# The problem codes each operation can answer, derived from the code (interface/problem_codes.py; the OpenAPI
# document lists them, and the tests check each answer against them). Run it after changing a rule.
contract: $(STAMP)
	@$(BIN)/python -m tools.problem_codes
	@$(BIN)/ruff format -q interface/problem_codes.py

# The bench's databases are throwaway: a fixed key-encryption key (required on PostgreSQL) unless one is set.
bench: export INSCRIBE_KEY_ENCRYPTION_KEY ?= YmVuY2gta2V5LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGU=
bench: $(STAMP)
	@$(BIN)/python -m bench

# Caches only: never the data or the secrets under var/.
clean:
	rm -rf .pytest_cache .hypothesis .mypy_cache
	find . -path ./.venv -prune -o -type d -name __pycache__ -exec rm -rf {} +

# The embedded database (var/*.db and its read side), keeping var/jwt-secret (tokens stay valid) and
# var/key-encryption-key (the key that wraps personal-data keys; losing it loses every wrapped key).
clean-data:
	@test ! -d var || find var -mindepth 1 -maxdepth 1 ! -name jwt-secret ! -name key-encryption-key \
		-print -exec rm -rf {} +
	@test ! -d var || echo "kept: $$(cd var && ls -A | tr '\n' ' ')(delete them by hand to start over)"
