# Build/test tooling for the simplebackups.simplebackups collection.
# All logic lives in .ci/*.sh; `make help` lists the targets.
#
# Interpreters are found at run time (.ci/lib.sh): ansible-core 2.19 uses python3.11 (else
# python3), ansible-core 2.21 uses python3.13/python3.12 (PATH, then pyenv). Override with
# PYTHON_2_19=... / PYTHON_2_21=...

SHELL := /bin/bash
.DEFAULT_GOAL := help
CI_DIR := .ci

# Order matters for `make test`: integration runs last.
TEST_STEPS := changelog-lint sanity-2.19 sanity-2.21 lint units-2.19 units-2.21 \
              simulator-tests integration-2.19 integration-2.21 molecule

.PHONY: help venv venv-2.19 venv-2.21 build demo bench simulator test changelog-lint \
        sanity sanity-2.19 sanity-2.21 lint units units-2.19 units-2.21 simulator-tests \
        integration integration-2.19 integration-2.21 molecule test-live clean distclean

help: ## Show this help
	@echo "Targets:"
	@grep -hE '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) \
	  | awk 'BEGIN {FS = ":.*## "}; {printf "  %-18s %s\n", $$1, $$2}'
	@echo "Variables: PYTHON_2_19, PYTHON_2_21 (interpreters); PORT, TOKEN, RATE_LIMIT... (simulator);"
	@echo "           SANITY_ARGS, PYTEST_ARGS, LINT_ARGS (extra arguments)"

venv: venv-2.19 venv-2.21 ## Create/refresh both tool venvs under .venv/

venv-2.19: ## Create/refresh .venv/ansible-2.19 (Python 3.11, ansible-core 2.19)
	@$(CI_DIR)/venv.sh 2.19

venv-2.21: ## Create/refresh .venv/ansible-2.21 (Python 3.12+, ansible-core 2.21, lint tools)
	@$(CI_DIR)/venv.sh 2.21

build: ## Build the collection tarball into build/ and install it into build/collections
	@$(CI_DIR)/build.sh 2.19

demo: ## Run tests/demo/demo.yml twice against the simulator (2nd run must be changed=0)
	@$(CI_DIR)/demo.sh

bench: ## Benchmark: BENCH_BACKUPS jobs at once under the 60/min rate limit; prints calls and times per phase
	@$(CI_DIR)/bench.sh

simulator: ## Run the API simulator in the foreground (env: PORT, TOKEN, RATE_LIMIT, ...)
	@$(CI_DIR)/simulator.sh

test: ## Everything: changelog-lint sanity lint units simulator-tests integration
	@MAKE="$(MAKE)" $(CI_DIR)/test-all.sh $(TEST_STEPS)

changelog-lint: ## antsibull-changelog lint (fragments + changelogs/changelog.yaml)
	@$(CI_DIR)/changelog-lint.sh

sanity: sanity-2.19 sanity-2.21 ## ansible-test sanity with ansible-core 2.19 and 2.21

sanity-2.19: ## ansible-test sanity, ansible-core 2.19 / Python 3.11
	@$(CI_DIR)/sanity.sh 2.19 $(SANITY_ARGS)

sanity-2.21: ## ansible-test sanity, ansible-core 2.21 / Python 3.12+
	@$(CI_DIR)/sanity.sh 2.21 $(SANITY_ARGS)

lint: ## ansible-lint (production profile, offline) against the built collection
	@$(CI_DIR)/lint.sh $(LINT_ARGS)

units: units-2.19 units-2.21 ## pytest tests/unit with both venvs

units-2.19: ## pytest tests/unit, ansible-core 2.19
	@$(CI_DIR)/pytest.sh 2.19 tests/unit $(PYTEST_ARGS)

units-2.21: ## pytest tests/unit, ansible-core 2.21
	@$(CI_DIR)/pytest.sh 2.21 tests/unit $(PYTEST_ARGS)

simulator-tests: ## pytest tests/simulator/tests (once, 2.19 venv)
	@$(CI_DIR)/pytest.sh 2.19 tests/simulator/tests $(PYTEST_ARGS)

integration: integration-2.19 integration-2.21 ## pytest tests/integration with both venvs

integration-2.19: ## pytest tests/integration, ansible-core 2.19
	@$(CI_DIR)/pytest.sh 2.19 tests/integration $(PYTEST_ARGS)

integration-2.21: ## pytest tests/integration, ansible-core 2.21
	@$(CI_DIR)/pytest.sh 2.21 tests/integration $(PYTEST_ARGS)

molecule: ## molecule scenario extensions/molecule/default (2 sshd hosts + simulator; needs root, else SKIPPED)
	@$(CI_DIR)/molecule.sh $(MOLECULE_ARGS)

test-live: ## Integration targets against the real service (SIMPLEBACKUPS_API_TOKEN, SIMPLEBACKUPS_TEST_STORAGE, SIMPLEBACKUPS_TEST_SERVER; else SKIPPED)
	@$(CI_DIR)/live.sh $(LIVE_ARGS)

clean: ## Remove build output (build/, tests/output/, caches); keeps .venv/
	rm -rf build tests/output .pytest_cache
	find . -path ./.venv -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean ## clean + remove the tool venvs (.venv/)
	rm -rf .venv
