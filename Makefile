# DutyDesk — two commands on a fresh machine: `make run` and `make test`.
# Python 3.11 where present (as on the servers and CI), else the system python3.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DUTYDESK_ADDRESS ?= 127.0.0.1
export DUTYDESK_PORT ?= 8501

.PHONY: run test audit demo migrate bench install clean

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate

run: migrate
	$(BIN)/streamlit run app.py --server.address $(DUTYDESK_ADDRESS) --server.port $(DUTYDESK_PORT)

demo: migrate
	$(BIN)/python manage.py demo

# Two workers (the servers have two cores); a test file stays on one worker, so a module's
# fixtures (one app server, one pair of instances) are built once.
test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Known vulnerabilities of the pinned requirements, read from PyPI by tools/audit_requirements.py
# (pip-audit cannot reach its data from here). Fails on a vulnerable pin, on an unreachable
# PyPI, and on a pin older than its latest release (PyPI lists only the latest's advisories);
# `make audit AUDIT_FLAGS=--allow-unverified` only reports the last kind.
AUDIT_FLAGS ?=
audit: install
	$(BIN)/python tools/audit_requirements.py $(AUDIT_FLAGS) requirements.txt

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV)
