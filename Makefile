# Two commands set up a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EVAL   ?= ../shared/eval

.PHONY: install demo test lint format bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --only-binary=spacy,thinc,blis,numpy -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/newsprism analyze examples/seed-story --db demo/newsprism.db --out demo/report --quiet

test: $(STAMP)
	scripts/test-system-deps
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): bench/requirements.txt $(STAMP)
	$(BIN)/python -m pip install -q --no-deps -r bench/requirements.txt
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench --eval-dir $(EVAL)
	$(BIN)/python -m bench.reliability

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m bench --eval-dir $(EVAL) --quick --out build/benchmarks-quick.md

clean:
	rm -rf demo build .pytest_cache .ruff_cache
