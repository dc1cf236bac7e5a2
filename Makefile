# graphcat: `make demo` and `make test` set up everything on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install system-deps neo4j neo4j-stop keycloak keycloak-stop demo serve test bench bench-peers reliability study study-prereg lock clean

system-deps:
	scripts/system-deps

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

# The graphql-http audit (tests/test_graphql_http_audit.py) runs on node; its pinned packages.
JS_AUDIT := tests/js/node_modules/.package-lock.json
$(JS_AUDIT): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund

# The page's browser libraries (graphcat/web/package-lock.json); tests compare them with the
# vendored copies in graphcat/web/static/vendor/.
JS_WEB := graphcat/web/node_modules/.package-lock.json
$(JS_WEB): graphcat/web/package.json graphcat/web/package-lock.json
	npm ci --prefix graphcat/web --no-audit --no-fund

# The @neo4j/graphql peer of `make bench-peers` (bench/peers/neo4j_graphql/package-lock.json);
# tests/test_peers_graphql.py runs it too.
JS_PEER := bench/peers/neo4j_graphql/node_modules/.package-lock.json
$(JS_PEER): bench/peers/neo4j_graphql/package.json bench/peers/neo4j_graphql/package-lock.json
	npm ci --prefix bench/peers/neo4j_graphql --no-audit --no-fund

install: $(STAMP) $(JS_AUDIT) $(JS_WEB) $(JS_PEER)

test: system-deps

# Neo4j: docker compose where a Docker engine answers, the local launcher otherwise.
neo4j: install
	@if docker info >/dev/null 2>&1; then \
		docker compose up -d --wait neo4j; \
	else \
		$(BIN)/graphcat neo4j start; \
	fi

neo4j-stop:
	$(BIN)/graphcat neo4j stop

# Keycloak (the OIDC tests' identity provider): fetched once from Maven Central, dev mode with the
# realm of graphcat/identity/realm/, on the Java of GRAPHCAT_KEYCLOAK_JAVA_HOME (set for it alone).
keycloak: install
	$(BIN)/graphcat keycloak start

keycloak-stop:
	$(BIN)/graphcat keycloak stop

serve: install
	$(BIN)/graphcat serve

demo: neo4j
	$(BIN)/graphcat demo load
	$(BIN)/graphcat serve

test: neo4j keycloak
	$(BIN)/python -m pytest

bench: neo4j
	$(BIN)/python -m bench

# graphcat beside its peers on the same data (issue 15): @neo4j/graphql over the same Neo4j, then
# MLflow's model registry (sqlite and `mlflow server`), 10k versions each. EMPTIES the catalog of
# GRAPHCAT_NEO4J_URI, like `make bench`.
bench-peers: neo4j
	npm ci --prefix bench/peers/neo4j_graphql --no-audit --no-fund
	$(BIN)/python -m bench.peers_graphql
	$(BIN)/python -m bench.peers_mlflow --versions 10000 --queries 100

# Faults, hostile input, auth and a one-minute-per-level load test; writes docs/reliability.md.
reliability: neo4j keycloak
	$(BIN)/python scripts/reliability_report.py

# The Pythia 8 generalisation study (docs/transferability.md). The `study` extra (pythia8mc,
# fastjet, matplotlib) is not needed by make test. pythia8mc comes as a binary wheel from PyPI when
# one exists for this Python; otherwise it is built once into WHEELS and reused from there.
# STUDY_ARGS= (empty) reuses the shipped sample instead of regenerating it (same seeds, same jets).
# The raw jets are cached in .graphcat/study-raw (an interrupted generation resumes); the estimator
# is validated beside its earlier versions (git commits) on the same catalog.
WHEELS := $(HOME)/.cache/graphcat/wheels
STUDY_ARGS ?= --generate --cache .graphcat/study-raw --compare-estimator-from be2a65e --compare-estimator-from 8fe1587
study: neo4j
	mkdir -p $(WHEELS)
	$(BIN)/python -m pip install -q -c constraints.txt --find-links $(WHEELS) --only-binary pythia8mc pythia8mc \
		|| $(BIN)/python -m pip wheel --no-deps -c constraints.txt -w $(WHEELS) pythia8mc
	$(BIN)/python -m pip install -q -c constraints.txt --find-links $(WHEELS) -e '.[test,study]'
	$(BIN)/python -m graphcat.study $(STUDY_ARGS)

# The pre-registered test of issue 20: score the committed predictions (graphcat/study/preregistered/
# predictions.json, made before the jets existed) on freshly generated jets of its configurations.
# Re-predicting is a separate, deliberate step: python -m graphcat.study --predict --configs ... --out ...
PREREG := graphcat/study/preregistered
study-prereg: neo4j
	$(BIN)/python -m graphcat.study --evaluate $(PREREG)/predictions.json --configs $(PREREG)/configs.yaml \
		--generate --cache .graphcat/study-raw-prereg --sample .graphcat/study-prereg-sample --out $(PREREG)/results.json

# Re-pin constraints.txt from the current environment after changing pyproject.toml.
lock:
	$(BIN)/python -m pip freeze --exclude-editable --exclude graphcat > constraints.txt

clean:
	rm -rf $(VENV) build *.egg-info
