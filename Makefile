# ECRS Hub — everyday commands. `make run` to try it, `make test` to check it.
#
# Everything runs from the project's own virtualenv (.venv), created on first use with a
# Python >= 3.12 found on this machine; requirements are installed again only when
# requirements.txt changes. DATABASE_URL from the environment chooses the database
# (default: SQLite file db.sqlite3 in the project).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Local serving runs with DEBUG=1 (uploaded item images are served too); static files come
# from whitenoise after collectstatic, so `make run DEBUG=0` works as well.
DEBUG ?= 1
PYTEST_ARGS ?=
BENCH_ARGS ?=
# A specific interpreter for the virtualenv: `make venv PYTHON=/usr/bin/python3.12`.
PYTHON ?=

.PHONY: help venv run test lint format bench clean

help:
	@echo "make run     create .venv if needed, migrate, load demo data, serve on http://$(HOST):$(PORT)/admin/"
	@echo "make test    run the test suite (PYTEST_ARGS='-k items -x'; DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make lint    ruff check + ruff format --check"
	@echo "make format  ruff format + ruff check --fix"
	@echo "make bench   run the benchmarks in bench/ (BENCH_ARGS passed through)"
	@echo "make venv    create .venv and install requirements.txt"
	@echo "make clean   remove .venv, collected static files and caches (keeps db.sqlite3 and media/)"

venv: $(STAMP)

# Candidates in order: $(PYTHON), python3.12/python3.13 on PATH, pyenv's installed 3.12/3.13,
# then python3. A candidate counts only if it runs, is >= 3.12 and can make a virtualenv
# (pyenv shims exist on PATH even for versions that are not active, and Debian's python3.x
# may lack the venv module).
$(PY):
	@set -u; \
	usable() { "$$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }; \
	pyenv_root=$$(pyenv root 2>/dev/null || echo "$(HOME)/.pyenv"); \
	found=""; \
	for candidate in $(PYTHON) python3.12 python3.13 \
	        $$pyenv_root/versions/3.1[23]*/bin/python3 $(HOME)/.pyenv/versions/3.1[23]*/bin/python3 \
	        python3; do \
	    if usable "$$candidate"; then found=$$candidate; break; fi; \
	done; \
	if [ -z "$$found" ]; then \
	    echo "ECRS Hub needs Python 3.12 or newer (with its venv module), and none was found." >&2; \
	    echo "Install one, e.g.  apt-get install python3.12 python3.12-venv   or   pyenv install 3.12" >&2; \
	    echo "then run make again (or point at it: make PYTHON=/path/to/python3.12 ...)." >&2; \
	    exit 1; \
	fi; \
	echo "Creating $(VENV) with $$found ($$("$$found" -c 'import sys; print(sys.version.split()[0])'))"; \
	"$$found" -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
	    echo "$(VENV) uses Python $$($(PY) -c 'import sys; print(sys.version.split()[0])'), older than 3.12: run make clean, then make again." >&2; \
	    exit 1; }
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

run: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo --url http://$(HOST):$(PORT)
	@$(MANAGE) collectstatic --noinput --verbosity 0
	@echo
	@echo "  Admin:        http://$(HOST):$(PORT)/admin/   (log in as seed_demo printed above)"
	@echo "  Push URLs:    http://$(HOST):$(PORT)/ecrs/items/  /ecrs/images/  /ecrs/price-label-settings/  /ecrs/scale-items/"
	@echo "  POS coupons:  http://$(HOST):$(PORT)/pos/   (Basic auth: the POS credential seed_demo printed)"
	@echo "  Staff API:    http://$(HOST):$(PORT)/api/   docs: /api/docs/   schema: /api/schema/"
	@echo "  Health:       http://$(HOST):$(PORT)/healthz  /readyz"
	@echo "  Stop with Ctrl-C."
	@echo
	DEBUG=$(DEBUG) $(MANAGE) runserver $(HOST):$(PORT)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: venv
	@shopt -s nullglob; scripts=(bench/*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No benchmarks yet (bench/*.py)."; exit 0; fi; \
	for script in "$${scripts[@]}"; do \
	    echo "== $$script"; \
	    $(PY) "$$script" $(BENCH_ARGS) || exit $$?; \
	done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
