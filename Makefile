# Two commands (see README, Quick start):
#   make demo   set everything up on this machine and build the warehouse on the demo data
#   make test   the whole test suite: sqlfluff lint, then pytest (which runs dbt build + tests)
SHELL := /bin/bash
# Warehouse, logs and publication files are readable by their owner only.
PRIVATE := umask 077 &&
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: setup setup-postgres setup-spark setup-metricflow setup-test demo build test lint pytest clean \
	check-list enquiry docs docs-serve postgres-demo postgres-stop spark-demo

# The Quick start installs what embedded DuckDB needs (requirements.txt); the other engines,
# MetricFlow and the test tools come with the targets that use them (requirements/*.txt).
$(BIN)/dbt: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-%: requirements/%.txt requirements.txt $(BIN)/dbt
	$(BIN)/pip install --quiet -r $<
	touch $@

$(VENV)/.installed-test: requirements/postgres.txt requirements/spark.txt requirements/metricflow.txt

setup: $(BIN)/dbt
setup-postgres: $(VENV)/.installed-postgres
setup-spark: $(VENV)/.installed-spark
setup-metricflow: $(VENV)/.installed-metricflow
# The docs site and summary page tests render pages in a headless browser: Debian's chromium.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
setup-test: $(VENV)/.installed-test
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium (a headless browser for the page tests)" >&2; \
		$(SUDO) apt-get install -y -qq chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }; }

demo: setup build

build: setup
	$(PRIVATE) mkdir -p warehouse
	$(PRIVATE) $(BIN)/dbt build

# The SQL as written (models, tests), then the SQL macros produce: every model, test and
# hook compiled against an in-memory target, checked by the rules that apply to generated
# text (case, aliases, ambiguity, comparisons), not by its layout. Then the metadata: the
# macros' YAML docs match their comments, and dbt-score grades descriptions and owners.
COMPILED_RULES := capitalisation.keywords,capitalisation.functions,capitalisation.literals,aliasing,ambiguous,convention.not_equal,convention.is_null,convention.terminator,references.from
# sqlfluff lints files on every core (--processes 0); the multiprocessing warning it leaves
# at exit (a semaphore its pool did not release) is not about the SQL.
SQLFLUFF := PYTHONWARNINGS=ignore::UserWarning:multiprocessing.resource_tracker $(BIN)/sqlfluff
lint: setup-test
	$(SQLFLUFF) lint --processes 0
	$(BIN)/dbt compile --target lint --target-path target/lint --quiet
	$(SQLFLUFF) lint target/lint/compiled --processes 0 --templater raw --dialect duckdb --disregard-sqlfluffignores \
		--rules $(COMPILED_RULES) --exclude-rules ambiguous.column_count
	$(BIN)/python scripts/macro_docs.py --check
	$(BIN)/dbt-score lint --manifest target/lint/manifest.json --fail-project-under 9.0 --show failing-items

pytest: setup-test
	$(PRIVATE) $(BIN)/pytest

test: lint pytest

clean:
	rm -rf target logs warehouse publication

# Check for National Data Opt-outs: make check-list INPUT=in.csv OUTPUT=out.csv [COLUMN=nhs_number]
# The three reach the command as environment variables, exactly as given ($(value ...)):
# a quote, $ or backtick in a file name is part of the name, never run by make or a shell.
COLUMN ?= nhs_number
check-list: export OPT_OUT_CHECK_INPUT = $(value INPUT)
check-list: export OPT_OUT_CHECK_OUTPUT = $(value OUTPUT)
check-list: export OPT_OUT_CHECK_COLUMN = $(value COLUMN)
check-list: setup
	$(PRIVATE) $(BIN)/python -m opt_out_io check-list --column "$$OPT_OUT_CHECK_COLUMN" -- \
		"$$OPT_OUT_CHECK_INPUT" "$$OPT_OUT_CHECK_OUTPUT"

# A patient's enquiry about their opt-out: make enquiry, then type the number when asked (it
# is not shown), or a script pipes it in: printf '%s\n' "$n" | make -s enquiry. It is never
# taken from the command line (ps, shell history and dbt's target/run_results.json would keep
# it): NHS_NUMBER=... is refused, its value neither printed nor expanded.
enquiry: setup
	$(if $(value NHS_NUMBER),$(error make enquiry takes no NHS_NUMBER: the number is asked for when the enquiry runs, never taken from the command line))
	@$(PRIVATE) $(BIN)/python -m opt_out_io enquiry

# dbt docs site for analysts: one file that opens from disk (target/static_index.html; the
# plain index.html fetches its data and so renders only when served), or served locally.
DOCS_PORT ?= 8080
docs: setup
	$(BIN)/dbt docs generate --static
	@echo "Docs: open $(CURDIR)/target/static_index.html in a browser, or run make docs-serve for http://127.0.0.1:$(DOCS_PORT)"

docs-serve: docs
	$(BIN)/dbt docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

# The same build on other engines (README, Other engines). Landing files are loaded first.
# This clone's own PostgreSQL server: no network, no password (scripts/postgres_server.sh).
postgres-demo: setup-postgres
	$(PRIVATE) bash scripts/postgres_server.sh start
	$(PRIVATE) $(BIN)/python -m opt_out_io load-landing --target postgres
	$(PRIVATE) $(BIN)/dbt build --target postgres

postgres-stop:
	bash scripts/postgres_server.sh stop

# Spark runs in this process through pyspark, which needs Java 17: one sentence when it is missing.
JAVA := $(firstword $(if $(JAVA_HOME),$(wildcard $(JAVA_HOME)/bin/java)) $(shell command -v java))
spark-demo:
	$(if $(JAVA),,$(error make spark-demo needs Java 17 for Spark: install it (apt-get install openjdk-17-jre-headless) or set JAVA_HOME))
	$(MAKE) --no-print-directory setup-spark
	$(PRIVATE) mkdir -p warehouse
	$(PRIVATE) $(BIN)/python -m opt_out_io load-landing --target spark
	$(PRIVATE) $(BIN)/dbt build --target spark
