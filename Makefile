# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 4599
UI_PORT ?= 8501
DATA_DIR ?= $(or $(PERSONALIZE_DATA_DIR),.data)
export OPENBLAS_NUM_THREADS ?= 1
export AWS_EC2_METADATA_DISABLED := true

.PHONY: run test lint format messages screenshots serve demo bench bench-seed clean clean-data

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m services.demo --data-dir $(DATA_DIR) --if-empty
	$(PY) -m streamlit run streamlit_app.py --server.address 127.0.0.1 --server.port $(UI_PORT)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Two workers, one per core; a file's tests stay on one worker so module fixtures are built once,
# and the browser tests and the demo shop's tests share one (the groups: tests/conftest.py).
TEST_WORKERS ?= 2
test: lint
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadgroup

# The message catalogue (services/i18n): extract every marked string from the code, merge new
# ones into the Korean catalogue (untranslated until someone writes them; a test says which).
messages: $(STAMP)
	$(PY) -m babel.messages.frontend extract --no-location --sort-output --no-wrap \
		--project=personalize-dashboard -k N_plural:1,2 -o services/i18n/messages.pot dashboard services streamlit_app.py
	$(PY) -m babel.messages.frontend update --no-fuzzy-matching --no-wrap --ignore-obsolete \
		-i services/i18n/messages.pot -d services/i18n/locale -D messages

# Every page of the demo shop in English (docs/screenshots/) and Korean (docs/screenshots/ko/),
# with the rule playground; stops on an exception, a broken picture or a request off 127.0.0.1.
screenshots: $(STAMP)
	$(PY) scripts/screenshots.py

serve: $(STAMP)
	$(PY) -m services.local serve --host 127.0.0.1 --port $(PORT) --data-dir $(DATA_DIR)

demo: $(STAMP)
	$(PY) -m services.demo --data-dir $(DATA_DIR)

bench: $(STAMP)
	$(PY) bench/quality.py
	$(PY) bench/scale.py
	$(PY) bench/latency.py
	$(PY) bench/readiness.py
	$(PY) bench/prepare.py
	$(PY) bench/pages.py

bench-seed: $(STAMP)
	$(PY) bench/seed_scale.py

clean:
	rm -rf $(VENV) .data

# Start the demo (and everything else the engine and dashboard stored) over; keeps .venv.
clean-data:
	rm -rf $(DATA_DIR)
