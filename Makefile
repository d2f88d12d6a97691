# Jingli: `make run` for the demo, `make test` for the suite. Both set up the virtualenv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run demo password test lint clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Jingli needs Python 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	@touch $(STAMP)

# The main catalogue and one per feature (locale/features/<feature>/zh_Hans/LC_MESSAGES/django.po).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po locale/features/*/*/LC_MESSAGES/django.po))

# Translations are compiled with Babel, so a bare machine needs no GNU gettext.
%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

venv: $(STAMP) $(MO_FILES)

demo: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py run_allocation --county DM01 --max-moves 30 --unless-exists
	$(PY) manage.py generate_roster --station DM01-S01 --start 2026-11-01 --days 30 --pattern DUTY24-3 --time-limit 5 --unless-exists

run: demo
	@echo ""
	@echo "Jingli is starting on http://$(HOST):$(PORT)/ (county overview; the admin is at /admin/)"
	@echo "Log in as 'planner' (or 'auditor', 'chief-dm01-s01'...) with the password printed above"
	@echo "when the demo was first built; 'make password USER=planner' sets a new one."
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

password: venv
	$(PY) manage.py changepassword $(USER)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m mypy .
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
