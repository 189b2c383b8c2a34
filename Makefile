# hoptac: `make demo` serves the demo province, `make test` runs the whole suite.
# Python 3.12 is found by itself: $PYTHON if set, else the first candidate that really runs 3.12
# (a pyenv shim for python3.12 exists even when pyenv would refuse to run it).
PYTHON ?= $(shell for p in "$$(command -v python3.12)" $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 \
	/root/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12 "$$(command -v python3)"; do \
	[ -x "$$p" ] && "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null && { echo "$$p"; break; }; \
	done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install install-test lint messages vendor clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: set PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps make a second run skip pip entirely while pyproject.toml is unchanged.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/hoptac migrate --no-input -v 0
	$(BIN)/hoptac demo --no-logins
	@bash scripts/serve-demo.sh "$(BIN)" "$(HOST)" "$(PORT)"

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# Extract and compile the Vietnamese catalogue (needs Debian's gettext); see scripts/messages.sh.
messages: install
	bash scripts/messages.sh "$(BIN)"

vendor:
	bash scripts/vendor.sh

clean:
	rm -rf $(VENV) *.egg-info src/*.egg-info
