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
# processes make integration spreads the test modules over (pytest-xdist, a module's tests stay together and in
# order: --dist loadfile); 0 runs them in pytest's own process, output streaming
INTEGRATION_JOBS ?= 2
# molecule test options (default: every scenario, --all; e.g. MOLECULE_ARGS='-s oauth_refresh_login')
MOLECULE_ARGS ?=
# The ansible-core matrix, VERSION:CONTROLLER_PYTHON: the oldest ansible-core meta/runtime.yml claims and the newest
# release (2.20 and 2.21 need Python 3.12 or newer on the controller). .venv itself has ansible-core 2.19.
ANSIBLE_CORE_MATRIX ?= 2.16.19:3.11 2.21.5:3.13
# the integration tests a matrix leg runs (a pytest -m expression; empty: the whole suite, as make integration does)
MATRIX_MARKEXPR ?= matrix
# what `make test` runs (each step is timed; all run, then the summary decides), TEST_JOBS of them side by side,
# started in this order: the longest first, so that the short ones fill the gaps (hacking/steps.sh).
# TEST_JOBS=1 runs them one after the other with their output streaming.
TEST_STEPS  ?= matrix integration molecule sanity units sim-tests docs galaxy-importer ansible-lint ee \
               lint changelog-lint build
TEST_JOBS   ?= 3

.PHONY: help venv build browser lint sanity units integration sim-tests changelog-lint demo test bench clean distclean \
        matrix matrix-venvs galaxy-importer ansible-lint docs ee molecule release sim sim-stop

help:
	@echo "make venv            create/fill .venv (requirements-dev.txt + ucsim), fast when up to date"
	@echo "make build           build the collection into .build/ and install it into .build/collections"
	@echo "make lint            shellcheck the build, CI and test scripts; the GitHub workflow against its schema"
	@echo "make sanity          ansible-test sanity (all Pythons found; copy in .build/ansible-test)"
	@echo "make units           ansible-test units on Python 3.11"
	@echo "make sim-tests       pytest ucsim/tests"
	@echo "make integration     pytest tests/integration on INTEGRATION_JOBS=$(INTEGRATION_JOBS) processes (ansible-playbook against ucsim)"
	@echo "make browser         install headless Chromium for the HTML report test (as root, apt-get), if missing"
	@echo "make changelog-lint  antsibull-changelog lint"
	@echo "make matrix          sanity, units, integration (ansible-test; the tests marked matrix) on ansible-core $(ANSIBLE_CORE_MATRIX)"
	@echo "make galaxy-importer galaxy-importer (ansible-doc, ansible-lint) on the built artifact, as Galaxy/Automation Hub"
	@echo "make ansible-lint    ansible-lint --profile production (.ansible-lint)"
	@echo "make docs            antsibull-docs lint-collection-docs, the docsite (.build/docsite), dead-link check"
	@echo "make molecule        molecule test of every scenario in extensions/molecule (the roles against ucsim)"
	@echo "make ee              ansible-builder introspect and create (docs/aap/execution-environment.yml)"
	@echo "make release VERSION=X.Y.Z  release with antsibull-changelog (galaxy.yml version, CHANGELOG.rst)"
	@echo "make sim LAB=NAME    start the simulator with a lab (default, cluster, multi, audit) and print what to export"
	@echo "make sim-stop LAB=NAME  stop it"
	@echo "make demo            run playbooks/enable_oauth_refresh_login.yml twice against ucsim"
	@echo "make test            everything CI runs, TEST_JOBS=$(TEST_JOBS) at a time: $(TEST_STEPS)"
	@echo "make bench           run the benchmarks (bench/run)"
	@echo "make clean           remove .build and test output (make distclean also removes .venv)"

venv:
	@hacking/venv.sh

build: venv
	hacking/build.sh

lint: venv
	$(BIN)/shellcheck hacking/*.sh .ci/run tests/integration/*.sh tests/integration/targets/*/runme.sh examples/gitops/ci/*.sh
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	@# every module of the pytest integration suite runs under ansible-test too (tests/integration/targets/*), and
	@# some of its tests on the other ansible-core releases of make matrix (those marked matrix)
	@for t in tests/integration/test_*.py; do \
	    grep -qE "run_pytest\.sh\"? $$(basename $$t) " tests/integration/targets/*/runme.sh || \
	    { echo "lint: FAIL: $$t has no ansible-test target (copy tests/integration/targets/cucm_oauth)" >&2; exit 1; }; \
	    grep -q '^@pytest.mark.matrix$$' $$t || \
	    { echo "lint: FAIL: $$t has no test marked @pytest.mark.matrix (make matrix would run none of it)" >&2; exit 1; }; \
	done

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
	  hacking/pytest.sh tests/integration -n $(INTEGRATION_JOBS) --dist loadfile $(PYTEST_ARGS)

changelog-lint: venv
	$(BIN)/antsibull-changelog lint -v
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

matrix-venvs:
	MATRIX='$(ANSIBLE_CORE_MATRIX)' hacking/matrix.sh venvs

matrix:
	MATRIX='$(ANSIBLE_CORE_MATRIX)' MATRIX_MARKEXPR='$(MATRIX_MARKEXPR)' hacking/matrix.sh run

galaxy-importer: build
	hacking/galaxy_importer.sh

ansible-lint: build
	hacking/ansible_lint.sh

docs: build
	hacking/docs.sh

ee: build
	hacking/ee.sh

molecule: venv
	hacking/molecule.sh $(MOLECULE_ARGS)

release: venv
	@[ -n "$(VERSION)" ] || { echo "make release VERSION=X.Y.Z" >&2; exit 1; }
	hacking/release.sh $(VERSION)

demo: build
	hacking/demo.sh

LAB ?= default
sim: venv
	@hacking/sim.sh $(LAB)

sim-stop:
	@hacking/sim.sh stop $(LAB)

test: venv
	@hacking/steps.sh -j $(TEST_JOBS) $(TEST_STEPS)

bench: build
	@if [ -x bench/run ]; then bench/run; \
	 else echo "bench: bench/run does not exist yet (see bench/README.md)" >&2; exit 1; fi

clean:
	rm -rf .build tests/output .pytest_cache ucsim/.pytest_cache docs/docsite/rst docs/docsite/extra-docs.yml
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
