# Two commands: `make demo` (set up, run the demo on the sandboxes) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint lab clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,lab]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m ditoolkit demo --out runs/demo

lint: $(STAMP)
	$(BIN)/ruff check ditoolkit tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadscope

# JupyterLab on the notebooks, with the sandboxes (demo seed) running until it stops.
SANDBOX_DIR := $(CURDIR)/.ditoolkit/sandbox
lab: $(STAMP)
	$(BIN)/python -m ditoolkit sandbox start --data-dir $(SANDBOX_DIR) --seed demo & \
	sandbox=$$!; trap 'kill $$sandbox 2>/dev/null; wait $$sandbox' EXIT INT TERM; \
	DITOOLKIT_SANDBOX_DIR=$(SANDBOX_DIR) $(BIN)/jupyter lab notebooks \
	    $$([ "$$(id -u)" -eq 0 ] && echo --allow-root)

clean:
	rm -rf $(VENV) runs .ditoolkit
