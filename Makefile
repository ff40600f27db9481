# chatops.rocketchat: everything a contributor runs. `make demo` and `make test` need only Python 3.11+, make and git.
#
#   make demo    seed a local Rocket.Chat API double, preview the prune (--check --diff), apply it, apply again
#   make check   the inner loop (about a minute): ansible-lint, mypy, unit tests, the double's conformance, docs examples
#   make test    everything CI runs, in two lanes side by side, with each suite's duration printed at the end
#   make matrix  sanity and the integration targets on every supported ansible-core (2.16 to 2.21); writes README's table
#   make bench   print the performance figures (a benchmark, not a test)
#
# Where each kind of test goes, and what a new module or endpoint touches: docs/CONTRIBUTING.md.

PYTHON ?= python3
VENV ?= $(CURDIR)/.venv
BIN := $(VENV)/bin
ANSIBLE_TEST_PYTHON ?= 3.11
# Where a lane of `make test` builds (the second lane gets build/lane-2: its own copy of the tree, artifact and docs).
BUILD ?= $(CURDIR)/build
# ansible-test refuses symlinks and wants the tree under ansible_collections/<namespace>/<name>/: we test a copy.
COLLECTIONS := $(BUILD)/collections
COPY := $(COLLECTIONS)/ansible_collections/chatops/rocketchat
STAMP := $(VENV)/.installed-$(shell cksum < requirements-dev.txt | cut -d' ' -f1)
# Every pytest suite that is not a unit test: the collection and tests/ (the double and its shared fixtures) import
# from here, so no conftest edits sys.path.
PYTEST := PYTHONPATH=$(COLLECTIONS):$(COPY)/tests $(BIN)/python -m pytest -p no:cacheprovider -p rocketchat_double.fixtures -q

# Tests must use this tree, never a stale copy that molecule or a user left in ~/.ansible/collections.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0

# make test: two lanes side by side (2 cores), each suite once, each lane fast to slow, each on its own copy of the
# tree. Where a suite runs again it is for a reason the others do not cover:
#   units, units-matrix  the unit tests on every supported ansible-core: 2.19 (the tools' virtualenv), then 2.16,
#                  2.17, 2.18 on Python 3.11, 2.20 on 3.12 and 2.21 on 3.13 (tests/utils/matrix.py)
#   sanity-floor, sanity-newest  ansible-test sanity on the oldest (2.16) and newest (2.21) supported ansible-core
#   integration    the integration targets from the *installed artifact*, the *oldest* ansible-core (2.16), Python
#                  3.11, against the double in the *7.x* dialect, with the fault-injection steps
#   secrets        the same targets in the *8.x* dialect, the double posing as a *real server* with a *password
#                  login*, at *-vvv*, ansible-core 2.19; then every output and file is scanned for every secret
#   integration-newest  the same targets from the tree, *6.x dialect*, the *newest ansible-core* on *Python 3.13*
LANE_1 := lint mypy extra-checks units double-tests examples tooling release-check sanity-floor sanity-newest property integration secrets
LANE_2 := units-matrix reliability awx molecule docs integration-newest
SUITES := $(LANE_1) $(LANE_2)

.PHONY: all venv demo-venv copy get-pip request-schemas core-venvs check test $(SUITES) sanity matrix demo bench property-long pins pins-matrix changelog clean

all: test

$(STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(STAMP)

# The demo needs only ansible-core and requests (pinned in requirements-demo.txt), not the dev toolchain.
DEMO_VENV := $(CURDIR)/.venv-demo
DEMO_STAMP := $(DEMO_VENV)/.installed-$(shell cksum < requirements-demo.txt | cut -d' ' -f1)
$(DEMO_STAMP): requirements-demo.txt
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-demo.txt
	touch $@

demo-venv: $(DEMO_STAMP)

# The version matrix: each supported ansible-core in a virtualenv of its own on the Python its row runs on, pinned
# in tests/matrix/ansible-core-<version>.txt (tests/utils/matrix.py knows the rows; .venv-core/<version>/).
CORE_FLOOR := 2.16
CORE_NEWEST := 2.21
CORE_BETWEEN := 2.17 2.18 2.20
MATRIX := MATRIX_ROOT=$(CURDIR) $(BIN)/python $(CURDIR)/tests/utils/matrix.py
FLOOR_BIN := $(CURDIR)/.venv-core/$(CORE_FLOOR)/bin

core-venvs: venv
	$(MATRIX) venv

# galaxy-importer in a virtualenv of its own (it pins attrs below what the dev tools need).
RELEASE_VENV := $(CURDIR)/.venv-release
RELEASE_STAMP := $(RELEASE_VENV)/.installed-$(shell cksum < requirements-release.txt | cut -d' ' -f1)
$(RELEASE_STAMP): requirements-release.txt
	$(PYTHON) -m venv $(RELEASE_VENV)
	$(RELEASE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-release.txt
	touch $@

# The copy holds what git tracks plus new files git does not ignore, as they are in the work tree. It gets a git
# repository of its own: ansible-test lists files with git, and would otherwise ask this repository, which ignores build/.
copy:
	rm -rf $(COLLECTIONS)
	mkdir -p $(COPY)
	git ls-files -z --cached --others --exclude-standard \
		| xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done; true' sh \
		| tar --null -cf - -T - | tar -xf - -C $(COPY)
	git -C $(COPY) init --quiet

# ansible-test bootstraps pip in each sanity virtualenv with get-pip-<version>.py downloaded from a host that
# these machines cannot reach; it first looks for ~/.ansible/test/cache/get_pip_<version>.py. We write that file:
# it runs pip from the virtualenv's own ensurepip wheel to install the pip version ansible-test pins from the
# package index (see tests/utils/ansible_test_get_pip.py).
get-pip: venv
	$(BIN)/python tests/utils/ansible_test_get_pip.py

# Rocket.Chat's own request validators (@rocket.chat/rest-typings 6.13.1, 7.13.9, 8.8.1 and ajv, pinned in
# tests/request_schemas/), fetched from the npm registry once into build/ (a stamp skips the next time). The double
# checks every request with them in the integration suites and the double's tests. No registry: a one-line failure.
REQUEST_SCHEMAS := $(CURDIR)/build/request-schemas
request-schemas:
	$(PYTHON) tests/utils/fetch_request_schemas.py $(REQUEST_SCHEMAS)

# ---- the suites ------------------------------------------------------------------------------------------------
# ansible-lint's production profile over the whole collection: role, examples, molecule, changelog, test playbooks.
lint: venv copy
	cd $(COPY) && ansible-lint --profile production

# The collection's code is typed inside (plans, actions, facts) and dicts only at a module's edge: mypy holds it.
mypy: venv copy
	cd $(COLLECTIONS) && $(BIN)/python -m mypy --config-file $(COPY)/tests/mypy.ini --cache-dir $(BUILD)/mypy-cache \
		-p ansible_collections.chatops.rocketchat.plugins

units: venv copy
	cd $(COPY) && ansible-test units --python $(ANSIBLE_TEST_PYTHON) --color no

# The unit tests on the other supported ansible-core versions, oldest first (2.19 is `units`).
units-matrix: venv copy core-venvs
	cd $(COPY) && $(MATRIX) units $(CORE_FLOOR) $(CORE_BETWEEN) $(CORE_NEWEST)

double-tests: venv copy request-schemas
	cd $(COPY) && ROCKETCHAT_DOUBLE_REQUEST_SCHEMAS=$(REQUEST_SCHEMAS) $(PYTEST) tests/double_conformance
	cd $(COPY) && PYTHONPATH=$(COPY)/tests $(BIN)/python tests/bench/bench_keepalive.py

# antsibull-nox's extra checks (its own scripts, without nox): no unwanted files under plugins/, the action group
# complete and documented by its doc fragment (tests/utils/extra_checks.py).
extra-checks: venv copy
	cd $(COPY) && $(BIN)/python tests/utils/extra_checks.py

# Every example in module EXAMPLES, the guides and docs/examples: valid YAML, FQCNs only.
examples: venv copy
	cd $(COPY) && $(PYTEST) tests/docs

# ansible-test sanity with no ignore file: `make sanity` on the tools' ansible-core (2.19), quick while working; make
# test runs it on the oldest and the newest supported (the matrix script bootstraps their pip as get-pip does), with
# the compile and import tests on each of their other controller Pythons this machine has (tests/config.yml).
sanity: venv copy get-pip
	cd $(COPY) && ansible-test sanity --python $(ANSIBLE_TEST_PYTHON) --color no

sanity-floor: venv copy core-venvs
	cd $(COPY) && $(MATRIX) sanity $(CORE_FLOOR)

sanity-newest: venv copy core-venvs
	cd $(COPY) && $(MATRIX) sanity $(CORE_NEWEST)

property: venv copy
	cd $(COPY) && $(PYTEST) --durations=0 tests/property

# Before a release: the same properties over 2,000 examples each (derandomised too).
property-long: venv copy
	cd $(COPY) && PROPERTY_EXAMPLES=2000 $(PYTEST) --durations=0 tests/property

# Build the artifact users install, check what is in it, install it into an empty collections path, and run the
# integration targets from the installed copy: all of it with the oldest supported ansible-core (build, install,
# test). With ROCKETCHAT_URL and credentials in the environment the targets run against that real server instead of
# the double: ansible-test passes no such variables through, so they go into integration_config.yml (mode 0600).
INSTALLED := $(BUILD)/installed
INSTALLED_COPY := $(INSTALLED)/ansible_collections/chatops/rocketchat
ARTIFACT := $(BUILD)/artifact
integration: venv copy request-schemas core-venvs
	rm -rf $(ARTIFACT) $(INSTALLED) && mkdir -p $(ARTIFACT) $(INSTALLED)
	cd $(COPY) && $(FLOOR_BIN)/ansible-galaxy collection build --output-path $(ARTIFACT)
	$(BIN)/python tests/utils/check_artifact.py $(ARTIFACT)/chatops-rocketchat-*.tar.gz $(COPY)
	ANSIBLE_COLLECTIONS_PATH=$(INSTALLED) $(FLOOR_BIN)/ansible-galaxy collection install --offline -p $(INSTALLED) \
		$(ARTIFACT)/chatops-rocketchat-*.tar.gz
	$(BIN)/python tests/utils/write_integration_config.py --request-schemas $(REQUEST_SCHEMAS) \
		$(INSTALLED_COPY)/tests/integration/integration_config.yml
	git -C $(INSTALLED_COPY) init --quiet  # for ansible-test's file listing, as in copy
	cd $(INSTALLED_COPY) && ANSIBLE_COLLECTIONS_PATH=$(INSTALLED) $(MATRIX) integration $(CORE_FLOOR) --config-written

secrets: venv copy request-schemas
	cd $(COPY) && ROCKETCHAT_DOUBLE_REQUEST_SCHEMAS=$(REQUEST_SCHEMAS) $(PYTEST) tests/secrets

# Faults, TLS, bad input and permissions: real `ansible` runs against the double, checked on the server.
reliability: venv copy
	cd $(COPY) && $(PYTEST) -n 2 tests/reliability

# AWX / Automation Controller's path, offline: the execution environment's build context (ansible-builder create and
# introspect), the credential type's injectors, and the example run under ansible-runner with three workspaces.
awx: venv copy
	cd $(COPY) && $(PYTEST) tests/awx

molecule: venv copy
	cd $(COPY)/roles/prune_webhooks && MOLECULE_NO_LOG=false molecule test
	cd $(COPY)/roles/webhooks && MOLECULE_NO_LOG=false molecule test

# HTML for the whole collection: module pages from the modules' own documentation, the role, and the guides in
# docs/docsite/. Built offline: no intersphinx, and docs/sphinx/offline-labels.rst stands in for the two Ansible
# documentation labels antsibull-docs links to. Warnings are errors.
DOCS := $(BUILD)/docs
docs: venv copy
	rm -rf $(DOCS) && mkdir -p $(DOCS)
	cd $(COPY) && antsibull-docs lint-collection-docs --plugin-docs .
	antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir $(DOCS) chatops.rocketchat
	echo 'intersphinx_mapping = {}' >> $(DOCS)/conf.py
	cd $(DOCS) && mkdir -p rst && chmod og-w rst && antsibull-docs --config-file antsibull-docs.cfg collection \
		--cleanup everything --fail-on-error --use-current --dest-dir rst chatops.rocketchat
	cp docs/sphinx/offline-labels.rst $(DOCS)/rst/
	cd $(DOCS) && sphinx-build -M html rst build -c . -W --keep-going -q
	@echo "make docs: $(DOCS)/build/html/index.html"

# What Galaxy would say of the release: galaxy-importer (offline, no ansible-test) on an artifact built from a
# temporary copy of galaxy.yml with a repository URL, GALAXY_REPOSITORY or a marked test value
# (tests/utils/release_check.py). The artifact users install is built from galaxy.yml as it is.
release-check: copy $(RELEASE_STAMP)
	PATH=$(RELEASE_VENV)/bin:$$PATH $(RELEASE_VENV)/bin/python tests/utils/release_check.py $(COPY) \
		$(BUILD)/release-check

# The matrix script's own logic (which interpreter a row picks), run with stand-in interpreters.
tooling: venv
	$(BIN)/python -m pytest -p no:cacheprovider -q tests/tooling

# The newest ansible-core on its Python (3.13), the integration targets from the tree in the 6.x dialect. A machine
# without that Python skips the row with a note; CI (CI=true) must run it.
integration-newest: venv copy request-schemas core-venvs
	cd $(COPY) && $(MATRIX) integration $(CORE_NEWEST) --dialect v-a --request-schemas $(REQUEST_SCHEMAS)

# Sanity and the integration targets on every supported ansible-core, one row after the other (about half an hour);
# prints the support table and writes it into README.md, with the date.
matrix: venv copy request-schemas core-venvs
	cd $(COPY) && $(MATRIX) support --request-schemas $(REQUEST_SCHEMAS)

# ---- entry points ----------------------------------------------------------------------------------------------
check: venv copy
	$(PYTHON) tests/utils/run_suites.py --build $(BUILD) lint mypy extra-checks units double-tests examples tooling

test: venv copy request-schemas core-venvs
	$(PYTHON) tests/utils/run_suites.py --build $(BUILD) --lane '$(LANE_1)' --lane '$(LANE_2)'

demo: copy demo-venv
	cd $(COPY) && PATH=$(DEMO_VENV)/bin:$$PATH $(DEMO_VENV)/bin/python tests/utils/run_demo.py

bench: venv copy
	cd $(COPY) && PYTHONPATH=$(COPY)/tests $(BIN)/python tests/bench/bench_keepalive.py
	cd $(COPY) && $(BIN)/python tests/bench/bench_prune.py
	cd $(COPY) && $(BIN)/python tests/bench/bench_declared.py
	cd $(COPY) && $(BIN)/python tests/bench/bench_parallel.py

# Release notes: `make changelog VERSION=x.y.z` turns changelogs/fragments/ into CHANGELOG.rst (run where the
# collection imports, then copied back).
changelog: venv copy
	test -n "$(VERSION)" || { echo "usage: make changelog VERSION=x.y.z"; exit 1; }
	cd $(COPY) && antsibull-changelog lint && antsibull-changelog release --version $(VERSION)
	cp $(COPY)/CHANGELOG.rst CHANGELOG.rst && cp $(COPY)/changelogs/changelog.yaml changelogs/changelog.yaml
	git rm -q --ignore-unmatch 'changelogs/fragments/*.yml'

# Re-pin requirements-dev.txt, requirements-demo.txt and requirements-release.txt from their .in files (the version
# matrix's rows: make pins-matrix).
pins:
	rm -rf $(CURDIR)/build/pins && $(PYTHON) -m venv $(CURDIR)/build/pins
	$(CURDIR)/build/pins/bin/python -m pip install --quiet --upgrade pip
	$(CURDIR)/build/pins/bin/python -m pip install --quiet -r requirements-dev.in
	{ echo "# Pinned from requirements-dev.in with 'pip freeze' on Python 3.11 (make pins)."; \
	  $(CURDIR)/build/pins/bin/python -m pip freeze; } > requirements-dev.txt
	rm -rf $(CURDIR)/build/pins-demo && $(PYTHON) -m venv $(CURDIR)/build/pins-demo
	$(CURDIR)/build/pins-demo/bin/python -m pip install --quiet -c requirements-dev.txt -r requirements-demo.in
	{ echo "# Pinned from requirements-demo.in with 'pip freeze' on Python 3.11 (make pins)."; \
	  $(CURDIR)/build/pins-demo/bin/python -m pip freeze; } > requirements-demo.txt
	rm -rf $(CURDIR)/build/pins-release && $(PYTHON) -m venv $(CURDIR)/build/pins-release
	$(CURDIR)/build/pins-release/bin/python -m pip install --quiet -r requirements-release.in
	{ echo "# Pinned from requirements-release.in with 'pip freeze' on Python 3.11 (make pins)."; \
	  $(CURDIR)/build/pins-release/bin/python -m pip freeze; } > requirements-release.txt

# Re-pin each row of the version matrix (tests/matrix/ansible-core-<version>.txt) on its own Python.
pins-matrix: venv
	$(MATRIX) pins

clean:
	rm -rf build tests/output .venv .venv-core .venv-demo .venv-release
