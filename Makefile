# Two commands (see README, Quick start):
#   make demo   set everything up on this machine and build the warehouse on the demo data
#   make test   the whole test suite: sqlfluff lint, then pytest (which runs dbt build + tests)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: setup demo build test lint pytest clean

$(BIN)/dbt: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

setup: $(BIN)/dbt

demo: setup build

build: setup
	mkdir -p warehouse
	$(BIN)/dbt build

lint: setup
	$(BIN)/sqlfluff lint

pytest: setup
	$(BIN)/pytest

test: lint pytest

clean:
	rm -rf target logs warehouse
