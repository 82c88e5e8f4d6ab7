# Two commands a newcomer needs: `make demo` and `make test`. Both build the venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[sim,test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/artui --demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check artui tests bench screenshots
	$(BIN)/ruff format --check artui tests bench screenshots

bench: $(VENV)/.installed
	$(BIN)/python bench/startup.py

screenshots: $(VENV)/.installed
	$(BIN)/python screenshots/make_screenshots.py

clean:
	rm -rf $(VENV) build *.egg-info
