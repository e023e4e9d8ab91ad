# The two commands: `make run` serves the page, `make test` runs the whole suite (what CI runs).
# Each sets up `.venv` first (scripts/setup_venv.py), which installs only what changed.

# The first of these that is Python 3.11 or later makes .venv (PYTHON=... to choose another).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; \
	done)
PORT ?= 8501
VENV := .venv
PY := $(VENV)/bin/python
SETUP = $(or $(PYTHON),python3) scripts/setup_venv.py
FAST := not e2e and not slow and not load
# A few unit tests, one page test in AppTest and the command line once: under a minute.
OPTIMIZE := tests/unit/engine/test_optimize.py
SMOKE := tests/unit/engine/test_likelihood.py tests/unit/test_settings.py \
	$(OPTIMIZE)::test_notebook_replay_p_and_nll $(OPTIMIZE)::test_notebook_replay_gradient_column \
	$(OPTIMIZE)::test_first_step_leaves_exactly_above_the_closed_form_lr \
	$(OPTIMIZE)::test_between_one_and_two_over_h_oscillates_and_converges \
	tests/page/test_app.py::test_page_loads_with_the_notebook_run

.PHONY: help run test test-fast smoke lint screenshots venv venv-dev clean

help:
	@echo "make run          serve the page at http://localhost:$(PORT) (PORT=... to change)"
	@echo "make test         the whole suite: unit, page, browser and load tiers (what CI runs)"
	@echo "make test-fast    the tiers without a browser, live servers or slow tests"
	@echo "make smoke        a handful of tests and the command line, under a minute"
	@echo "make lint         ruff format --check and ruff check"
	@echo "make screenshots  the pictures in docs/, from the page as it is"
	@echo "make clean        remove .venv"

venv:
	@$(SETUP)

venv-dev:
	@$(SETUP) --dev

run: venv
	$(PY) -m streamlit run app.py --server.port $(PORT)

# pytest's exit 5 means it collected no tests: a failure, said as such.
define pytest
	@$(PY) -m pytest $(1); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status
endef

# The tiers without a browser or a live server share both cores; the browser and load tiers
# then run one test at a time, since their timings and servers need the machine to themselves.
SERIAL := e2e or load
test: venv-dev
	@$(PY) -m pytest -n 2 -m "not ($(SERIAL))"; first=$$?; \
	$(PY) -m pytest -m "$(SERIAL)"; second=$$?; \
	for status in $$first $$second; do \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; \
	  if [ $$status -ne 0 ]; then exit $$status; fi; \
	done

test-fast: venv-dev
	$(call pytest,-m "$(FAST)")

smoke: venv-dev
	$(call pytest,-q $(SMOKE))
	$(PY) -m bernoulli fit notebook --every 500

lint: venv-dev
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

screenshots: venv-dev
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV)
