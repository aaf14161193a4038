# Kirjuri: `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
KIRJURI := $(abspath $(VENV))/bin/kirjuri

.PHONY: install demo test lint fmt bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# A year of the notice's processing on SQLite, then an access report. Every
# step uses the demo's own file and keys, whatever the environment exports.
demo: export KIRJURI_DATABASE_URL = sqlite:kirjuri.db
demo: export KIRJURI_MASTER_KEY =
demo: export KIRJURI_MASTER_KEY_FILE =
demo: export KIRJURI_SIGNING_KEY =
demo: export KIRJURI_SIGNING_KEY_FILE =
demo: install
	rm -rf demo && mkdir demo
	cd demo && $(KIRJURI) init --policy ../policies/fluiconnecto.toml
	cd demo && $(KIRJURI) import ../examples/crm-contacts.csv --source event_attendee_list
	cd demo && $(KIRJURI) apply ../examples/year-2025.jsonl
	cd demo && $(KIRJURI) findings
	cd demo && $(KIRJURI) requests
	cd demo && $(KIRJURI) ropa --since 2025-01-01 --until 2026-01-01 --lang fi --format html -o ropa-fi.html
	cd demo && $(KIRJURI) access-report aino.virtanen@esimerkki.fi --format html --lang fi -o access-report-fi.html
	cd demo && $(KIRJURI) access-report aino.virtanen@esimerkki.fi --format markdown
	cd demo && $(KIRJURI) prove --subject aino.virtanen@esimerkki.fi -o evidence-aino.json
	cd demo && $(KIRJURI) verify-proof evidence-aino.json --public-key "$$($(KIRJURI) keys public)"
	cd demo && $(KIRJURI) request jussi.nieminen@savonprosessi.example --type erasure --channel email --request-id R-2025-030
	cd demo && $(KIRJURI) erase jussi.nieminen@savonprosessi.example --request-id R-2025-030
	cd demo && $(KIRJURI) checkpoint && $(KIRJURI) verify
	cd demo && $(KIRJURI) ropa --since 2025-01-01 --until 2026-01-01 --signed -o ropa-2025-signed.json
	cd demo && $(KIRJURI) verify-ropa ropa-2025-signed.json --public-key "$$($(KIRJURI) keys public)"
	cd demo && $(KIRJURI) inquiry --recipient debt_collector --since 2025-01-01 --until 2026-01-01 -o inquiry-debt-collector-2025.json
	cd demo && $(KIRJURI) verify-inquiry inquiry-debt-collector-2025.json --public-key "$$($(KIRJURI) keys public)"
	cd demo && $(KIRJURI) consent-records --all -o consent-records.jsonld
	cd demo && $(KIRJURI) policy-dpv -o policy-dpv.jsonld
	cd demo && umask 077 && $(KIRJURI) users add demo_dpo --role dpo > demo_dpo.password
	@echo "web pages: cd demo && ../.venv/bin/kirjuri serve, then open http://127.0.0.1:8000/"
	@echo "  and sign in as demo_dpo with the password in demo/demo_dpo.password"
	@echo "kirjuri is in .venv/bin: '. .venv/bin/activate' puts it on your PATH"

# All tests, SQLite and PostgreSQL (the run starts its own server).
test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check ledger projections commands api web tests bench
	$(VENV)/bin/ruff format --check ledger projections commands api web tests bench
	$(VENV)/bin/mypy

fmt: install
	$(VENV)/bin/ruff format ledger projections commands api web tests bench
	$(VENV)/bin/ruff check --fix ledger projections commands api web tests bench

bench: install
	$(PY) -m bench

clean:
	rm -rf demo .pytest_cache .mypy_cache .ruff_cache
