# The two commands of README.md: `make book` and `make test`.
# Both start from nothing: they create .venv and install the pinned dependencies first,
# and skip that step when requirements.lock and pyproject.toml have not changed.
SHELL := bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := book

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BUILT  := $(VENV)/.actlab-built

# The book build and nbval each live in one script (tools/), which the tests reuse.

# One BLAS thread everywhere: the book's networks are small, and on 2 shared cores
# OpenBLAS's thread pool was measured 10-50x slower than a single thread.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1

.PHONY: setup book test unit notebooks site exercises bench clean

# actlab's C modules (setup.py) are compiled by its editable install, again whenever
# one of them changes.
C_SOURCES := setup.py $(wildcard code/actlab/*.c code/actlab/*/*.c code/actlab/*/*.h)

$(STAMP): requirements.lock pyproject.toml system-packages.txt package.json package-lock.json tools/book-site/pyproject.toml
	tools/install-system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e tools/book-site
	tools/vendor-assets
	touch $@

$(BUILT): $(STAMP) $(C_SOURCES)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

setup: $(BUILT)

book: $(BUILT)
	tools/build-book

unit: $(BUILT)
	$(BIN)/python -m pytest tests --ignore=tests/site

notebooks: $(BUILT)
	tools/run-nbval exercises

site: $(BUILT)
	$(BIN)/python -m pytest tests/site

test: $(BUILT)
	$(MAKE) unit
	$(MAKE) notebooks
	$(MAKE) book
	$(MAKE) site

exercises: $(BUILT)  ## re-execute the exercise notebooks in place, storing their outputs
	PYTHONHASHSEED=0 ACTLAB_STATIC=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace exercises/*.ipynb

bench: $(BUILT)
	for b in benchmarks/*.py; do $(BIN)/python $$b; done

clean:
	rm -rf _build

# Student versions of the exercises, solutions stubbed and outputs cleared (chapters/appendix_instructors.md).
.PHONY: student
student: $(BUILT)
	rm -rf _build/student
	$(BIN)/python -m actlab.student exercises --out _build/student
