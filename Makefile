# medkb: `make site` builds the example knowledge base, `make test` runs the suite.
# Both create .venv on a fresh machine and install what they need.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SITE_STAMP := $(VENV)/.medkb-site
TEST_STAMP := $(VENV)/.medkb-test
export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve serve-dirty test test-fast chromium bench bench-scale bench-rebuild bench-versions screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the package metadata changes. Building the site needs
# the package; the tests also need the test extra (Playwright, axe...).
$(SITE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(SITE_STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP) $(SITE_STAMP)

site: $(SITE_STAMP)
	$(BIN)/mkdocs build --strict

serve: $(SITE_STAMP)
	$(BIN)/mkdocs serve

# Large knowledge bases: re-render only the files that changed.
serve-dirty: $(SITE_STAMP)
	$(BIN)/mkdocs serve --dirty

# Browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install -y chromium'" >&2; exit 1; \
	  fi; \
	fi

# The Nu Html Checker (npm vnu-jar) for the HTML validation test; it runs on
# the system Java (Debian: openjdk-17-jre-headless).
VNU_JAR := tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): tools/vnu/package.json tools/vnu/package-lock.json
	@command -v java >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; } || { echo "Java is missing: apt-get install -y openjdk-17-jre-headless" >&2; exit 1; }
	cd tools/vnu && npm ci --no-audit --no-fund --silent
	touch $(VNU_JAR)

test: $(TEST_STAMP) chromium $(VNU_JAR)
	$(BIN)/python -m pytest

# Everything but the browser tests.
test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -m 'not browser'

bench: $(SITE_STAMP)
	$(BIN)/python bench/citations.py

# Scale (100 and 1,000 articles; add sizes with ARTICLES="100 1000 10000")
# and the editor's loop in mkdocs serve; both measure in Chromium.
ARTICLES ?= 100 1000
bench-scale: $(TEST_STAMP) chromium
	$(BIN)/python bench/scale.py --articles $(ARTICLES)

bench-versions: $(TEST_STAMP)
	$(BIN)/python bench/versions.py --articles 1000 --pending 50 --runs 5

bench-rebuild: $(TEST_STAMP) chromium
	$(BIN)/python bench/rebuild.py --articles 1000

screenshots: $(TEST_STAMP) chromium
	$(BIN)/python bench/screenshots.py screenshots

clean:
	rm -rf site bench/out .pytest_cache
