# PeerPath: `make demo` serves the demo site, `make test` runs every test.
# Both prepare what they need (virtual environment, npm packages, assets, Chromium).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n auto

.DEFAULT_GOAL := help
.PHONY: help demo serve test lint typecheck checks assets lock clean chromium system-packages

help:
	@echo "make demo    set everything up, seed the demo data and serve http://$(HOST):$(PORT)"
	@echo "make test    run the whole test suite (unit, PostgreSQL when DATABASE_URL is set, browser)"
	@echo "make lint    ruff, mypy, Django checks and migration drift"
	@echo "make lock    recompile requirements/*.txt from requirements/*.in"

$(BIN)/.installed: requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/base.txt -r requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

peerpath/static/vendor/.built: node_modules/.installed scripts/build_assets.py | $(BIN)/.installed
	$(BIN)/python scripts/build_assets.py
	touch $@

assets: peerpath/static/vendor/.built

staticfiles/.collected: peerpath/static/vendor/.built $(shell find peerpath/static -type f -not -path '*/vendor/*' 2>/dev/null)
	$(MANAGE) collectstatic --noinput --verbosity 0
	touch $@

system-packages:
	@scripts/system_packages.sh

chromium:
	@scripts/system_packages.sh --with-browser

demo: $(BIN)/.installed staticfiles/.collected system-packages
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo --scale small
	$(MANAGE) import_programme --model dementia-carers --organisation "Merton Carers' Centre" --as administrator
	$(MANAGE) credential_keys generate --if-missing
	$(MAKE) --no-print-directory serve

# The web server, and beside it the periodic jobs: delivery's every minute (offers that lapse,
# runs that start, session reminders), evaluation's every five minutes (questionnaire
# invitations and reminders) and accreditation's every hour (awards that expire, expiry
# reminders); stopping the server stops them. Tasks run inline (ADR 007).
serve:
	$(MANAGE) delivery_jobs --every 60 & jobs=$$!; \
	$(MANAGE) evaluation_jobs --every 300 & questionnaires=$$!; \
	$(MANAGE) accreditation_jobs --every 3600 & awards=$$!; \
	trap 'kill $$jobs $$questionnaires $$awards 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn peerpath.config.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --worker-class gthread --access-logfile - --logger-class peerpath.config.secret_logging.MaskingLogger

test: $(BIN)/.installed peerpath/static/vendor/.built chromium
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy peerpath
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/python scripts/check_view_rules.py

lock: $(BIN)/.installed
	cd requirements && ../$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras --generate-hashes -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras --generate-hashes -o dev.txt dev.in

clean:
	rm -rf $(VENV) node_modules staticfiles peerpath/static/vendor
