# Two commands for a fresh machine with Python 3.11+ and pip:
#   make run    set everything up, then open the app on a built-in example project
#   make test   set everything up, then run the whole test suite (Qt offscreen)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The PyTorch export's tests need torch: its CPU build (about 190 MB), from PyTorch's CPU index or a
# local wheel, not the CUDA build (several GB) pip would take from PyPI on Linux. Only torch itself
# is looked up there (--no-deps, one retry: an unreachable index costs seconds); its dependencies
# come with the pytorch extra from the usual index.
TORCH := torch==2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: run test lint bench clean

run: $(STAMP)
	$(BIN)/backprop-studio

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q
	$(BIN)/ruff check .

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --retries 1 "$(TORCH)" --extra-index-url $(TORCH_INDEX)
	$(BIN)/python -m pip install --quiet -e ".[test,pytorch]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
