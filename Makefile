# Both README commands do their own set-up: a virtualenv in .venv, the
# package and its dependencies, and (as root) the Debian packages they need.
# `make run` installs only what the service needs; `make test` adds the test tools.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.run-installed
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit desktop-deps run-deps bench soak mutation clean

run: run-deps $(RUN_STAMP)
	$(VENV)/bin/sitting-reminder run $(ARGS)

run-deps:
	@scripts/run-deps

test: desktop-deps $(STAMP) lint typecheck
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check reminder tests bench
	$(VENV)/bin/ruff format --check reminder tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

desktop-deps:
	@scripts/desktop-deps

bench: desktop-deps $(STAMP)
	@# The peers the figures are compared with, Debian's packages, installed as root:
	@# Workrave, and Safe Eyes with what it recommends (its AppIndicator tray icon, and
	@# xprintidle, which its Smart Pause asks on X11).
	@peers="workrave safeeyes gir1.2-ayatanaappindicator3-0.1 xprintidle"; missing=""; \
	for pkg in $$peers; do \
		dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then \
			echo "bench: installing the peers:$$missing"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 \
			|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; } \
			|| echo "bench: could not install$$missing; their columns stay empty"; \
		else \
			echo "bench: not root, so not installing$$missing; their columns stay empty"; \
		fi; \
	fi
	$(PY) bench/run.py $(ARGS)

soak: desktop-deps $(STAMP)
	$(PY) bench/soak.py

# Mutation testing of reminder/core/ and the value parsers ([tool.mutmut] in pyproject.toml):
# not part of `make test`. It starts afresh each time (about 30 min on 2 cores), prints the
# score and every surviving mutant; docs/testing.md says why each changes nothing a user
# would notice.
mutation: $(STAMP)
	rm -rf mutants && mkdir mutants
	$(VENV)/bin/mutmut run --max-children $$(nproc) > mutants/run.log 2>&1 \
		|| { tail -n 40 mutants/run.log; exit 1; }
	@$(PY) tests/mutation_report.py

.PHONY: deb
# The Debian package, in dist/ (scripts/build-deb; as root it installs its build tools).
deb:
	@scripts/build-deb

# The service alone: its dependencies, and the GTK tray for XEmbed-only desktops
# (PyGObject) where Debian's -dev packages are present to build it.
$(RUN_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	if pkg-config --exists gobject-introspection-1.0 cairo 2>/dev/null; then \
		$(PY) -m pip install -q -e '.[tray]'; \
	else \
		echo "note: PyGObject not built (no libgirepository1.0-dev): only XEmbed-only trays need it, see README"; \
		$(PY) -m pip install -q -e .; \
	fi
	@touch $(RUN_STAMP)

# ... and the test tools (pytest, hypothesis, mypy, ruff).
$(STAMP): $(RUN_STAMP) pyproject.toml
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
