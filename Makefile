# `make run` and `make test` are all a new machine needs (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup translations run serve test lint format e2e messages clean postgres redis smtp wiki wiki-stop

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

# axe-core for the accessibility browser tests (package.json; docs/accessibility.md):
# installed from package-lock.json when node_modules is missing or the lock changed.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund && touch $@; \
	else echo "npm not found: axe-core not installed, the accessibility tests will skip"; fi

setup: $(STAMP) $(NODE_STAMP)

# The translations, compiled from locale/*/LC_MESSAGES/*.po into the .mo files Django reads
# (scripts/compile_messages.py: polib, no system gettext; only what changed).
translations: setup
	$(BIN)/python scripts/compile_messages.py

# The timer worker (docs/jobs.md) runs in the background beside the server, on the same
# database, and stops with it: when runserver exits for any reason (Ctrl-C included), the
# EXIT trap sends it SIGTERM and waits while it finishes the timer it is running.
#
# With the local wiki of `make wiki` up, the chat uses it (sign-in, blocks, roles: docs/wiki.md);
# without it, wiki features are off.
run: translations
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	set -e; \
	if [ -f .wiki/credentials.env ] && curl -fsS -o /dev/null --max-time 3 \
	    "$$(sed -n 's/^LIVECHAT_WIKI_API=//p' .wiki/credentials.env)?action=query&format=json"; then \
	  export LIVECHAT_ENV_FILE=.wiki/credentials.env; echo "Using the local wiki (make wiki)."; \
	fi; \
	$(BIN)/python manage.py run_timers & timers=$$!; \
	trap 'status=$$?; kill $$timers 2>/dev/null; wait $$timers || :; exit $$status' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production mode (docs/deployment.md): DEBUG off, migrate, collectstatic (hashed names,
# served by WhiteNoise), uvicorn with a worker per core (one without REDIS_URL) and the
# timers' worker beside it. Needs SECRET_KEY and ALLOWED_HOSTS in the environment.
serve: translations
	HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

# Optional outside services, installed and started on loopback (scripts/services.sh).
postgres redis:
	scripts/services.sh $@

smtp: setup
	scripts/services.sh smtp

# A real MediaWiki 1.39 (Debian's packages) on 127.0.0.1:8080 for development and the `wiki`
# tests, and the stand-in OAuth 2 server beside it on :8081 (wikioauth/, on the venv):
# installs, starts and creates its fixtures when missing; prints URLs and passwords.
wiki: setup
	scripts/wiki.sh

wiki-stop:
	scripts/wiki.sh stop

test: translations
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	node --test tests/js/

e2e: translations
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

# The English source catalogs (locale/en/LC_MESSAGES): every msgid the templates, the
# Python code (django.po) and the page's scripts (djangojs.po) use. tests/test_catalogs.py
# fails when they are out of date. The creation date is dropped so that a run that changes
# no message changes no file. wikioauth/ is test tooling (the stand-in OAuth server of `make
# wiki`), not the product, so its few words stay untranslated.
#
# The shipped languages: English is the source, the others are translations of it
# (docs/translating.md). `make messages` brings them all up to the code's messages.
LOCALES := en ar cs ko vi
LOCALE_FLAGS := $(foreach locale,$(LOCALES),-l $(locale))
MESSAGES_IGNORE := --ignore .venv --ignore tests --ignore bench --ignore staticfiles --ignore docs --ignore wikioauth --ignore node_modules
messages: setup
	$(BIN)/python manage.py makemessages $(LOCALE_FLAGS) --no-obsolete -d django $(MESSAGES_IGNORE)
	$(BIN)/python manage.py makemessages $(LOCALE_FLAGS) --no-obsolete -d djangojs $(MESSAGES_IGNORE)
	for po in locale/*/LC_MESSAGES/*.po; do sed -i '/^"POT-Creation-Date: /d' "$$po"; done

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-shm db.sqlite3-wal .pytest_cache
