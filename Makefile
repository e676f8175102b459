# caselink: two commands on a fresh machine with Python 3.11+ and make.
#   make demo   create .venv, install pinned dependencies, run the demo on the embedded store
#   make test   create .venv, install dev dependencies, run ruff, mypy and pytest

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= demo.db

.PHONY: demo test lint typecheck venv lock clean screenshots

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/caselink demo --db $(DEMO_DB) --out demo-out
	@echo
	@echo "To open the demo in a browser (one user per role; passwords are printed once):"
	@echo "  $(BIN)/caselink serve --db $(DEMO_DB) --demo"
	@echo "then open http://127.0.0.1:8000/ and log in as demo-analyst, demo-reviewer, ..."

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

# Re-take the web app's screenshots in docs/screenshots/ (the browser tests, in Debian's chromium).
screenshots: $(STAMP)
	CASELINK_SCREENSHOTS=1 $(BIN)/pytest tests/web/test_browser.py tests/web/test_series_browser.py tests/web/test_demo_browser.py

# Regenerate the pinned constraints from the current environment (after changing pyproject).
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^caselink' > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
