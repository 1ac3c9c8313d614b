# `make demo` and `make test` work on a fresh machine: they create .venv first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.lrfuncs-installed
TIMM   := timm==1.0.31
JOBS   ?= 2

.PHONY: all install test lint typecheck demo bench clean

all: test

$(STAMP): pyproject.toml requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-test.txt
	$(BIN)/python -m pip install -q --no-deps $(TIMM)
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/python -m ruff check .

typecheck: $(STAMP)
	$(BIN)/python -m mypy lrfuncs

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -q -n $(JOBS)

demo: $(STAMP)
	$(BIN)/python examples/demo.py --out out/curves.png

bench: $(STAMP)
	$(BIN)/python -m benchmarks --update-readme

clean:
	rm -rf $(VENV) out build *.egg-info
