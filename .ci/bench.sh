#!/usr/bin/env bash
# `make bench`: many backup jobs at once under the API's rate limit, against the simulator;
# prints a table of wall time, API calls, writes, 429s and changes per phase.
# Knobs: BENCH_BACKUPS (15), BENCH_FORKS (15), BENCH_RATE_LIMIT (60; 0: none),
# BENCH_VERSION (2.19 or 2.21).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="${BENCH_VERSION:-2.19}"
venv="$(ensure_venv "$version")"
cd "$ROOT" || exit
log "benchmark (ansible-core $version, Python $(venv_python_version "$version"))"
exec "$venv/bin/python" tests/bench/bench.py
