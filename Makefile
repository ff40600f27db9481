# chatops.rocketchat: everything a contributor runs. `make demo` and `make test` need only Python 3.11+.
#
#   make demo    seed a local Rocket.Chat API double, preview the prune (--check --diff), apply it, apply again
#   make test    sanity, units, the double's conformance tests, integration targets, molecule, ansible-lint
#   make bench   print the prune benchmark figures (a benchmark, not a test)

PYTHON ?= python3
VENV ?= $(CURDIR)/.venv
BIN := $(VENV)/bin
ANSIBLE_TEST_PYTHON ?= 3.11
# ansible-test refuses symlinks and wants the tree under ansible_collections/<namespace>/<name>/: we test a copy.
COLLECTIONS := $(CURDIR)/build/collections
COPY := $(COLLECTIONS)/ansible_collections/chatops/rocketchat
STAMP := $(VENV)/.installed-$(shell cksum < requirements-dev.txt | cut -d' ' -f1)

# Tests must use this tree, never a stale copy that molecule or a user left in ~/.ansible/collections.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0

.PHONY: all venv copy get-pip sanity units double-tests integration molecule lint property reliability examples docs build-test matrix-py312 changelog test demo bench pins clean

all: test

$(STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(STAMP)

# The version matrix's second row: the newest ansible-core on Python 3.12 (pinned in requirements-py312.txt).
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
VENV312 := $(CURDIR)/.venv-py312
STAMP312 := $(VENV312)/.installed-$(shell cksum < requirements-py312.txt | cut -d' ' -f1)

$(STAMP312): requirements-py312.txt
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found: set PYTHON312=/path/to/python3.12"; exit 1; }
	$(PYTHON312) -m venv $(VENV312)
	$(VENV312)/bin/python -m pip install --quiet --upgrade pip
	$(VENV312)/bin/python -m pip install --quiet -r requirements-py312.txt
	touch $@

# The copy holds what git tracks plus new files git does not ignore, as they are in the work tree. It gets a git
# repository of its own: ansible-test lists files with git, and would otherwise ask this repository, which ignores build/.
copy: venv
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

sanity: copy get-pip
	cd $(COPY) && ansible-test sanity --python $(ANSIBLE_TEST_PYTHON) --color no

units: copy
	cd $(COPY) && ansible-test units --python $(ANSIBLE_TEST_PYTHON) --color no

double-tests: venv
	$(BIN)/python -m pytest -p no:cacheprovider -q tests/double
	$(BIN)/python tests/double/bench_keepalive.py

# With ROCKETCHAT_URL and credentials in the environment the targets run against that real server instead of the
# double: ansible-test passes no such variables through, so they go into the copy's integration_config.yml (0600).
# Against the double they run twice: in the 7.x/8.x error dialect, then in the 6.x one.
INTEGRATION_CONFIG := $(COPY)/tests/integration/integration_config.yml
integration: copy
	$(BIN)/python tests/utils/write_integration_config.py $(INTEGRATION_CONFIG)
	cd $(COPY) && ansible-test integration --python $(ANSIBLE_TEST_PYTHON) --color no
	if [ -z "$$ROCKETCHAT_URL" ]; then \
		$(BIN)/python tests/utils/write_integration_config.py --dialect v-a $(INTEGRATION_CONFIG) \
		&& cd $(COPY) && ansible-test integration --python $(ANSIBLE_TEST_PYTHON) --color no; \
	fi

property: copy
	cd $(COPY) && $(BIN)/python -m pytest -p no:cacheprovider -q tests/property

# Faults, TLS, bad input and permissions: real `ansible` runs against the double, checked on the server.
reliability: copy
	cd $(COPY) && $(BIN)/python -m pytest -p no:cacheprovider -q -n 2 tests/reliability

# Sanity and integration with the newest ansible-core on Python 3.12 (its own ansible-test pins another pip).
matrix-py312: copy $(STAMP312)
	$(VENV312)/bin/python tests/utils/ansible_test_get_pip.py
	cd $(COPY) && PATH=$(VENV312)/bin:$$PATH ansible-test sanity --python 3.12 --color no
	$(BIN)/python tests/utils/write_integration_config.py $(INTEGRATION_CONFIG)
	cd $(COPY) && PATH=$(VENV312)/bin:$$PATH ansible-test integration --python 3.12 --color no

# Every example in module EXAMPLES, the guides and docs/examples: valid YAML, FQCNs only.
examples: copy
	cd $(COPY) && $(BIN)/python -m pytest -p no:cacheprovider -q tests/docs

molecule: copy
	cd $(COPY)/roles/prune_webhooks && MOLECULE_NO_LOG=false molecule test

lint: copy
	cd $(COPY) && ansible-lint --profile production roles/prune_webhooks docs/examples

test: sanity units double-tests examples docs integration property reliability molecule lint build-test matrix-py312
	@echo "make test: all suites passed"

# HTML for the whole collection: module pages from the modules' own documentation, the role, and the guides in
# docs/docsite/. Built offline: no intersphinx, and docs/sphinx/offline-labels.rst stands in for the two Ansible
# documentation labels antsibull-docs links to. Warnings are errors.
DOCS := $(CURDIR)/build/docs
docs: copy
	rm -rf $(DOCS) && mkdir -p $(DOCS)
	cd $(COPY) && antsibull-docs lint-collection-docs --plugin-docs .
	antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir $(DOCS) chatops.rocketchat
	echo 'intersphinx_mapping = {}' >> $(DOCS)/conf.py
	cd $(DOCS) && mkdir -p rst && chmod og-w rst && antsibull-docs --config-file antsibull-docs.cfg collection \
		--cleanup everything --fail-on-error --use-current --dest-dir rst chatops.rocketchat
	cp docs/sphinx/offline-labels.rst $(DOCS)/rst/
	cd $(DOCS) && sphinx-build -M html rst build -c . -W --keep-going -q
	@echo "make docs: $(DOCS)/build/html/index.html"

# Build the artifact users install, check what is in it, install it into an empty collections path, and run the
# integration targets from the installed copy.
INSTALLED := $(CURDIR)/build/installed
build-test: copy
	rm -rf $(CURDIR)/build/artifact $(INSTALLED) && mkdir -p $(CURDIR)/build/artifact $(INSTALLED)
	cd $(COPY) && ansible-galaxy collection build --output-path $(CURDIR)/build/artifact
	$(BIN)/python tests/utils/check_artifact.py $(CURDIR)/build/artifact/chatops-rocketchat-*.tar.gz
	ANSIBLE_COLLECTIONS_PATH=$(INSTALLED) ansible-galaxy collection install --offline -p $(INSTALLED) \
		$(CURDIR)/build/artifact/chatops-rocketchat-*.tar.gz
	$(BIN)/python tests/utils/write_integration_config.py \
		$(INSTALLED)/ansible_collections/chatops/rocketchat/tests/integration/integration_config.yml
	git -C $(INSTALLED)/ansible_collections/chatops/rocketchat init --quiet  # for ansible-test's file listing, as in copy
	cd $(INSTALLED)/ansible_collections/chatops/rocketchat && ANSIBLE_COLLECTIONS_PATH=$(INSTALLED) \
		ansible-test integration --python $(ANSIBLE_TEST_PYTHON) --color no

demo: copy
	cd $(COPY) && $(BIN)/python tests/utils/run_demo.py

bench: copy
	cd $(COPY) && $(BIN)/python tests/double/bench_keepalive.py
	cd $(COPY) && $(BIN)/python tests/bench/bench_prune.py

# Release notes: `make changelog VERSION=x.y.z` turns changelogs/fragments/ into CHANGELOG.rst (run where the
# collection imports, then copied back).
changelog: copy
	test -n "$(VERSION)" || { echo "usage: make changelog VERSION=x.y.z"; exit 1; }
	cd $(COPY) && antsibull-changelog lint && antsibull-changelog release --version $(VERSION)
	cp $(COPY)/CHANGELOG.rst CHANGELOG.rst && cp $(COPY)/changelogs/changelog.yaml changelogs/changelog.yaml
	git rm -q --ignore-unmatch 'changelogs/fragments/*.yml'

# Re-pin requirements-dev.txt from requirements-dev.in (and requirements-py312.txt from requirements-py312.in).
pins:
	rm -rf $(CURDIR)/build/pins && $(PYTHON) -m venv $(CURDIR)/build/pins
	$(CURDIR)/build/pins/bin/python -m pip install --quiet --upgrade pip
	$(CURDIR)/build/pins/bin/python -m pip install --quiet -r requirements-dev.in
	{ echo "# Pinned from requirements-dev.in with 'pip freeze' on Python 3.11 (make pins)."; \
	  $(CURDIR)/build/pins/bin/python -m pip freeze; } > requirements-dev.txt
	rm -rf $(CURDIR)/build/pins312 && $(PYTHON312) -m venv $(CURDIR)/build/pins312
	$(CURDIR)/build/pins312/bin/python -m pip install --quiet --upgrade pip
	$(CURDIR)/build/pins312/bin/python -m pip install --quiet -r requirements-py312.in
	{ echo "# Pinned from requirements-py312.in with 'pip freeze' on Python 3.12 (make pins)."; \
	  $(CURDIR)/build/pins312/bin/python -m pip freeze; } > requirements-py312.txt

clean:
	rm -rf build tests/output .venv .venv-py312
