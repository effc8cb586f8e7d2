# The two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
WEB_PORT ?= 8000
SANDBOX_PORT ?= 8001
export WEB_PORT SANDBOX_PORT

.PHONY: run test lint bench install messages

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Compiled translations are build output (var/ is not committed); msgfmt comes from GNU gettext.
messages: install
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv -v0; \
	else echo "msgfmt not found (apt-get install gettext): the admin will show English text"; fi

run: install messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_admin
	$(PY) manage.py catalog_demo
	@procs=$$(DJANGO_SETTINGS_MODULE=backoffice.settings $(PY) -c "from django.conf import settings; print('web worker beat' + (' sandbox' if settings.VTEX_USES_SANDBOX else ''))") || exit 1; \
	echo "Back office: http://127.0.0.1:$(WEB_PORT)/admin/  (processes: $$procs; Ctrl-C stops them all)"; \
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start $$procs

test: install messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_ENV=production DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  DJANGO_ALLOWED_HOSTS=backoffice.example.com VTEX_ACCOUNT_NAME=lint VTEX_APP_KEY=lint VTEX_APP_TOKEN=lint \
	  $(PY) manage.py check --deploy --fail-level WARNING

bench: install
	$(PY) -m bench
