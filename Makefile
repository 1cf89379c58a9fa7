# Build, test and demo targets for the collab.uc collection. `make help` lists them.
# Everything runs from .venv, which `make venv` creates and fills (idempotently) on a fresh machine.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV     := .venv
BIN      := $(CURDIR)/$(VENV)/bin
COLLECTIONS := $(CURDIR)/.build/collections

# ansible-test options (override on the command line, e.g. make sanity SANITY_ARGS='--venv --requirements --python 3.11').
SANITY_ARGS ?= --venv --requirements --color no
UNITS_ARGS  ?= --venv --requirements --python 3.11 --color no
# extra pytest options for sim-tests and integration (e.g. PYTEST_ARGS='-k harness -x')
PYTEST_ARGS ?=
# what `make test` runs, in this order (each step is timed; all run, then the summary decides)
TEST_STEPS  ?= lint changelog-lint sim-tests build units integration sanity

.PHONY: help venv build browser lint sanity units integration sim-tests changelog-lint demo test bench clean distclean

help:
	@echo "make venv            create/fill .venv (requirements-dev.txt + ucsim), fast when up to date"
	@echo "make build           build the collection into .build/ and install it into .build/collections"
	@echo "make lint            shellcheck the build and CI scripts (hacking/*.sh, .ci/run)"
	@echo "make sanity          ansible-test sanity (all Pythons found; copy in .build/ansible-test)"
	@echo "make units           ansible-test units on Python 3.11"
	@echo "make sim-tests       pytest ucsim/tests"
	@echo "make integration     pytest tests/integration (ansible-playbook against ucsim; runs make browser first)"
	@echo "make browser         install headless Chromium for the HTML report test (as root, apt-get), if missing"
	@echo "make changelog-lint  antsibull-changelog lint"
	@echo "make demo            run playbooks/enable_oauth_refresh_login.yml twice against ucsim"
	@echo "make test            everything CI runs: $(TEST_STEPS)"
	@echo "make bench           run the benchmarks (bench/run)"
	@echo "make clean           remove .build and test output (make distclean also removes .venv)"

venv:
	@hacking/venv.sh

build: venv
	hacking/build.sh

lint: venv
	$(BIN)/shellcheck hacking/*.sh .ci/run

sanity: venv
	hacking/ansible_test.sh sanity $(SANITY_ARGS)

units: venv
	hacking/units.sh $(UNITS_ARGS)

sim-tests: venv
	hacking/pytest.sh ucsim/tests $(PYTEST_ARGS)

browser:
	@hacking/browser.sh

integration: build browser
	COLLAB_UC_COLLECTIONS_PATH=$${COLLAB_UC_COLLECTIONS_PATH:-$(COLLECTIONS)} \
	  hacking/pytest.sh tests/integration $(PYTEST_ARGS)

changelog-lint: venv
	$(BIN)/antsibull-changelog lint -v
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

demo: build
	hacking/demo.sh

test: venv
	@hacking/steps.sh $(TEST_STEPS)

bench: build
	@if [ -x bench/run ]; then bench/run; \
	 else echo "bench: bench/run does not exist yet (see bench/README.md)" >&2; exit 1; fi

clean:
	rm -rf .build tests/output .pytest_cache ucsim/.pytest_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
