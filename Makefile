# Two commands do all the set-up: `make plan` and `make test`.
# Each creates .venv (if missing) and installs the package into it first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: plan test check venv clean serve

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

venv: $(STAMP)

plan: $(STAMP)
	$(BIN)/outreach-planner plan --week 2026-W49

serve: $(STAMP)
	$(BIN)/outreach-planner serve

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) out .pytest_cache
