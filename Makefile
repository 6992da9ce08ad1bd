# The project's vocabulary. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check check-deploy deploy-tools chaos lint format migrations-check frontend clean

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

## Whole-stack chaos run (~5 min): kill -9 of every process under REST load, a broker outage,
## then the invariants; exits non-zero when one breaks. `make test` runs the short version.
chaos: $(VENV)/.installed-dev
	$(PY) chaos/run.py $(CHAOS_ARGS)

## Validate the deployment offline: chart (helm lint --strict, helm template | kubernetes-validate
## --strict, manifest tests), cluster manifests, images and compose, workflows (actionlint),
## scripts (shellcheck) and deploy.sh --dry-run
TOOLS := $(abspath .tools/bin)
CHART_VALUES := chart/values.yaml chart/values-doks.yaml

deploy-tools:
	PYTHON=$(PYTHON) scripts/deploy-tools.sh

check-deploy: $(VENV)/.installed-dev deploy-tools
	@set -e; for values in $(CHART_VALUES); do \
		echo "== helm lint --strict -f $$values"; \
		$(TOOLS)/helm lint --strict chart -f $$values; \
		echo "== helm template -f $$values | kubernetes-validate --strict"; \
		out=$$(mktemp); \
		$(TOOLS)/helm template todo chart -n todo -f $$values > $$out; \
		$(TOOLS)/kubernetes-validate --strict --quiet $$out || { rm -f $$out; exit 1; }; \
		rm -f $$out; \
	done
	$(TOOLS)/kubernetes-validate --strict --quiet k8s/*.yaml
	$(TOOLS)/actionlint .github/workflows/*.yml
	shellcheck --external-sources scripts/*.sh scripts/doks/*.sh .ci/run
	PATH="$(TOOLS):$$PATH" $(VENV)/bin/pytest chart/tests scripts/tests scripts/doks/tests

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .tools
