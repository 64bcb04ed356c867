# collab-survey: `make run` serves the demo, `make test` runs the whole suite.
VENV := .venv
PY := $(VENV)/bin/python
PG_URL := postgres://collab:collab@127.0.0.1:5432/collab
GOVUK_DIR := static/vendor/govuk-frontend
CSS := $(GOVUK_DIR)/app.css
# plotly.js with only the trace types the charts draw (frontend/plotly-collab.js), by esbuild.
PLOTLY_JS := static/vendor/plotly/plotly-collab.min.js

BENCH_URL := postgres://collab:collab@127.0.0.1:5432/collab_bench
# Sizes are flags: make bench BENCH_ARGS="--responses 500000 --organisations 2000"
BENCH_ARGS ?= --responses 10000 --organisations 200 --seconds 30

.PHONY: run test bench install assets messages messages-update lint audit clean

$(PY):
	$$(sh scripts/find-python.sh) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	sh scripts/system-deps.sh
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): node_modules/.installed static/scss/app.scss
	rm -rf $(GOVUK_DIR) && mkdir -p $(GOVUK_DIR)
	cp -r node_modules/govuk-frontend/dist/govuk/assets node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(GOVUK_DIR)/
	rm -rf $(GOVUK_DIR)/assets/fonts
	npx sass --pkg-importer=node --style=compressed --no-source-map --quiet static/scss/app.scss $(CSS)

$(PLOTLY_JS): node_modules/.installed frontend/plotly-collab.js
	npm run --silent build:plotly

assets: $(CSS) $(PLOTLY_JS) messages

# Translation catalogues: locale/*/LC_MESSAGES/*.po are the source, the .mo files are built here
# (Debian's gettext msgfmt, through Django) and never committed.
messages: $(VENV)/.installed
	DJANGO_SECRET_KEY=build-only DJANGO_ENV_FILE=/dev/null $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

# After marking new text: refresh locale/cy's catalogue (translations kept), then translate the
# empty msgstr entries. Results pages are English only, so reports/ is not in the catalogue.
messages-update: $(VENV)/.installed
	DJANGO_SECRET_KEY=build-only DJANGO_ENV_FILE=/dev/null $(PY) manage.py makemessages -l cy --no-obsolete --add-location=file --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench --ignore=reports --ignore=staticfiles

install: $(VENV)/.installed assets

.env:
	$(PY) scripts/write-dev-env.py > .env

run: install .env
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_instrument surveys/instruments/collaboration_readiness_v1.yaml
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py purge_personal_data
	VENV=$(VENV) sh scripts/serve.sh

test: install audit
	sh scripts/ensure-db.sh
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(PY) -m pytest -q -n $${TEST_WORKERS:-2} --dist loadfile

bench: install
	sh scripts/ensure-db.sh collab_bench
	DATABASE_URL=$(BENCH_URL) DJANGO_SECRET_KEY=bench-only DJANGO_ENV_FILE=/dev/null $(PY) manage.py migrate --noinput -v0
	DJANGO_SECRET_KEY=bench-only DJANGO_ENV_FILE=/dev/null $(PY) manage.py collectstatic --noinput -v0
	DATABASE_URL=$(BENCH_URL) $(PY) -m bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Security checks, run before the tests: bandit fails on any medium or high finding in our code
# (each accepted one carries a `# nosec` with its reason); scripts/audit.py runs pip-audit and
# npm audit, prints how many packages were checked and skipped (and why), and fails only on
# findings: advisory data it cannot reach is reported as NOT CHECKED, never as safe.
audit: install
	$(VENV)/bin/bandit -c pyproject.toml -r collab_survey surveys reports -q --severity-level medium
	$(PY) scripts/audit.py

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles
	find locale -name '*.mo' -delete
