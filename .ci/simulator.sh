#!/usr/bin/env bash
# Run the SimpleBackups API simulator in the foreground with the 2.19 venv.
# Its settings come from the environment and are passed through unchanged:
#   PORT (0 = pick a free port), TOKEN, TOKEN2, RATE_LIMIT, HOST, STATE_FILE, JOB_SECONDS,
#   REMOVAL_DELAY, VALIDATION_MODE, JOB_OUTCOME, PAGE_SIZE, TLS_CERT, TLS_KEY, SSH_TIMEOUT, QUIET
# It prints "SimpleBackups simulator listening on http://127.0.0.1:PORT/api".
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
venv="$(ensure_venv 2.19)"
cd "$ROOT" || exit
[ -d tests/simulator/simplebackups_simulator ] || die "tests/simulator/simplebackups_simulator is missing"
export PYTHONPATH="$ROOT/tests/simulator${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
log "starting simulator (PORT=${PORT:-<default>} TOKEN=${TOKEN:-<default>} RATE_LIMIT=${RATE_LIMIT:-<default>}); Ctrl-C stops it"
exec "$venv/bin/python" -m simplebackups_simulator
