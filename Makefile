# Two commands do all the set-up on a fresh machine with Python ≥ 3.11 and git:
#   make run    start the app on the demo data (http://127.0.0.1:8501, this machine only)
#   make test   install what the tests need and run them all (lint, unit, AppTest, browser)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Only this machine by default; ADDRESS=0.0.0.0 serves the network (README "Security").
ADDRESS ?= 127.0.0.1

.PHONY: run test install install-test browser-deps lint format demo-data clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt -c constraints.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# The script is run once as soon as the server answers (its health check), so that the app's
# HTTP gate (uploads only for signed-in sessions, app_pages/signin.install_gate) is in place
# before any browser connects.
run: install
	@(for i in $$(seq 120); do curl -fs --max-time 120 \
		http://127.0.0.1:$(PORT)/_stcore/script-health-check >/dev/null 2>&1 && break; sleep 1; done) &
	$(BIN)/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT) \
		--server.scriptHealthCheckEnabled true

# The browser test needs Debian's Chromium and a CJK font. As root (CI) they are installed
# here; elsewhere the test says it is skipped unless BRIEFING_REQUIRE_BROWSER=1.
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "Chromium and Noto CJK fonts present"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; \
	else \
		echo "Chromium or fonts-noto-cjk missing and not root: install them to run the browser test"; \
	fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/deptry .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install-test browser-deps lint
	$(BIN)/python -m pytest

# Rewrites data/demo from the deterministic generator (the files are committed).
demo-data: install
	$(BIN)/python -m core demo data/demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache artifacts
