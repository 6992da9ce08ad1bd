# The project's vocabulary. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check lint format migrations-check frontend clean

$(VENV)/.installed-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed-runtime
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

## Run the whole system locally on embedded defaults (SQLite, the bundled broker, every process)
run: $(VENV)/.installed-runtime frontend
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_periodic_tasks
	$(PY) manage.py create_demo_user
	PATH="$(abspath $(VENV))/bin:$$PATH" WEB_HOST=$(HOST) WEB_PORT=$(PORT) $(VENV)/bin/honcho start

## Build the web app into frontend/dist (served by Django at / locally)
frontend:
	@if [ -f frontend/package.json ]; then \
		cd frontend && npm ci --no-audit --no-fund && npm run build; \
	fi

## Run the test suite: web app type check, unit tests and build, then pytest (backend and
## end-to-end in Chromium; it starts its own PostgreSQL, broker and processes)
test: $(VENV)/.installed-dev frontend
	cd frontend && npx vitest run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## Every static check CI runs
check: lint migrations-check

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(VENV)/.installed-dev
	DJANGO_SETTINGS_MODULE=todo_project.settings.test $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
