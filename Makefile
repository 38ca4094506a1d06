# Two commands on a fresh machine:  make run  (set up and serve)  ·  make test  (the whole suite)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: run test setup venv assets db demo messages mutation clean

run: setup
	@scripts/run.sh

test: venv assets
	$(VENV)/bin/pytest -n auto --dist loadfile $(PYTEST_ARGS)

setup: venv assets db demo

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-optional.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	$(VENV)/bin/pip install --quiet -r requirements-optional.txt || echo "optional extras not installed: exports use XlsxWriter"
	@touch $@

# Bootstrap, its icons and ECharts come from the npm registry; nothing from a CDN at run time.
assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

db: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py rebuild_search --missing  # records from before search, or loaded in bulk
	$(PY) manage.py setup_roles

demo: db
	$(PY) manage.py load_demo

# Rebuild the English catalogue after changing translatable strings (locale/zh_Hans only keeps
# Django's wording of its own form messages: see its header).
messages: venv
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=node_modules
	$(PY) manage.py compilemessages -l en -l zh_Hans --ignore=.venv --ignore=node_modules

# Mutation testing of one rule module (QUALITY.md): make mutation MODULE=clubs (MODULE=list: the names)
mutation: venv
	$(PY) scripts/mutation.py $(if $(filter list,$(MODULE)),--list,$(MODULE))

clean:
	rm -rf $(VENV) node_modules var
