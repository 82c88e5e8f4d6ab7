# Two commands a newcomer needs: `make demo` and `make test`. Both build the venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-calendar lint bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[sim,test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/artui --demo

# One worker per core (at most four), a test file per worker at a time: its module's
# simulator is started once.
test: $(VENV)/.installed
	$(BIN)/python -m pytest -q -n auto --maxprocesses=4 --dist loadfile

# The suite with the machine's calendar moved 400 days ahead, then 40 days back: no test may
# depend on today's date. libfaketime (the test extra) moves only the wall clock for the whole
# process tree; the monotonic clock stays real, so timed waits keep their real length.
# FAKETIME is read once. The tests keep their environment changes out of the C library's
# (tests/conftest.py): a setenv racing a thread's getenv segfaulted runs under it.
test-calendar: $(VENV)/.installed
	@lib=$$($(BIN)/python -c 'import libfaketime, pathlib; print(pathlib.Path(libfaketime.__file__).parent / "vendor/libfaketime/src/libfaketime.so.1")') && \
	for offset in +400d -40d; do \
		DONT_FAKE_MONOTONIC=1 FAKETIME_CACHE_DURATION=1000000000 LD_PRELOAD=$$lib FAKETIME=$$offset $(BIN)/python -c \
			'import datetime, sys; print("== make test-calendar: the clock moved", sys.argv[1], "reads", datetime.datetime.now().isoformat(" ", "minutes"))' $$offset && \
		DONT_FAKE_MONOTONIC=1 FAKETIME_CACHE_DURATION=1000000000 LD_PRELOAD=$$lib FAKETIME=$$offset \
			$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --maxprocesses=4 --dist loadfile || exit 1; \
	done

# The type checker: the whole package, and strict on the engine and the domain (the code
# every layer builds on).
STRICT = artui/engine artui/domain

lint: $(VENV)/.installed
	$(BIN)/ruff check artui tests bench screenshots
	$(BIN)/ruff format --check artui tests bench screenshots
	$(BIN)/mypy artui
	$(BIN)/mypy --strict $(STRICT)

bench: $(VENV)/.installed
	$(BIN)/python bench/startup.py

screenshots: $(VENV)/.installed
	$(BIN)/python screenshots/make_screenshots.py

clean:
	rm -rf $(VENV) build *.egg-info
