#!/usr/bin/env bash
# `make demo`: the collection as a user gets it, against the API simulator.
#
#  1. .venv/ansible-2.19 (python3.11, else python3) -- the only venv needed;
#  2. ansible-galaxy collection build -> build/, install -> build/collections (not ~/.ansible);
#  3. start the simulator in the background on a free port (PORT=0), parse its URL;
#  4. run tests/demo/demo.yml twice with ANSIBLE_COLLECTIONS_PATH=build/collections and
#     SIMPLEBACKUPS_API_URL / SIMPLEBACKUPS_API_TOKEN exported; the second run must report
#     changed=0 (and failed=0, unreachable=0) for every host in its PLAY RECAP;
#  5. stop the simulator (always, via trap).
# Needs no root and nothing outside the project directory (logs: build/demo/).
# Overrides (for debugging): DEMO_PLAYBOOK, TOKEN, DEMO_VENV_VERSION (default 2.19).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="${DEMO_VENV_VERSION:-2.19}"
playbook="${DEMO_PLAYBOOK:-$ROOT/tests/demo/demo.yml}"
token="${TOKEN:-sb-sim-token}"
demo_dir="$BUILD_DIR/demo"
sim_log="$demo_dir/simulator.log"

[ -f "$playbook" ] || die "demo playbook $playbook not found (tests/demo/demo.yml has not been written yet?)"
[ -d "$ROOT/tests/simulator/simplebackups_simulator" ] || die "tests/simulator/simplebackups_simulator is missing"

venv="$(ensure_venv "$version")"
build_and_install_collection "$venv" >/dev/null
rm -rf "$demo_dir"
mkdir -p "$demo_dir/tmp"

# --- simulator ------------------------------------------------------------------------------
sim_pid=""
stop_simulator() {
    if [ -n "$sim_pid" ] && kill -0 "$sim_pid" 2>/dev/null; then
        log "stopping simulator (pid $sim_pid)"
        kill -TERM "$sim_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$sim_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    sim_pid=""
}
trap stop_simulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "starting simulator (PORT=0, log: ${sim_log#"$ROOT/"})"
(
    cd "$ROOT"
    export PYTHONPATH="$ROOT/tests/simulator${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
    export PORT=0 TOKEN="$token" VALIDATION_MODE=callback
    exec "$venv/bin/python" -m simplebackups_simulator
) >"$sim_log" 2>&1 </dev/null &
sim_pid=$!

url=""
for _ in $(seq 300); do  # up to 30 s
    url="$(sed -n 's/.*listening on \(https\{0,1\}:\/\/[^[:space:]]*\).*/\1/p' "$sim_log" | head -1)"
    [ -n "$url" ] && break
    if ! kill -0 "$sim_pid" 2>/dev/null; then
        cat "$sim_log" >&2
        die "the simulator exited before printing its URL (log above: $sim_log)"
    fi
    sleep 0.1
done
[ -n "$url" ] || { cat "$sim_log" >&2; die "the simulator did not print 'listening on <URL>' within 30 s"; }
log "simulator at $url"

# --- the playbook, twice --------------------------------------------------------------------
export SIMPLEBACKUPS_API_URL="$url" SIMPLEBACKUPS_API_TOKEN="$token"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_DIR"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_HOME="$BUILD_DIR/.ansible" ANSIBLE_LOCAL_TEMP="$demo_dir/tmp" ANSIBLE_REMOTE_TMP="$demo_dir/tmp"
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_RETRY_FILES_ENABLED=false ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-0}"
export PATH="$venv/bin:$PATH"

# recap_check LOG WANT_ZERO_CHANGED -> fails unless the PLAY RECAP shows failed=0,
# unreachable=0 (and changed=0 when WANT_ZERO_CHANGED=1) on every host line.
recap_check() {
    local log_file="$1" zero_changed="$2" recap
    recap="$(sed 's/\x1b\[[0-9;]*m//g' "$log_file" | sed -n '/^PLAY RECAP/,$p' | grep -E ' ok=[0-9]+ ' || true)"
    [ -n "$recap" ] || die "no PLAY RECAP found in $log_file"
    if echo "$recap" | grep -Eq ' (failed|unreachable)=[1-9]'; then
        die "failed/unreachable hosts in $log_file:
$recap"
    fi
    if [ "$zero_changed" = 1 ] && echo "$recap" | grep -Eq ' changed=[1-9]'; then
        die "the second demo run is NOT idempotent (expected changed=0):
$recap
(full output: ${log_file#"$ROOT/"})"
    fi
    echo "$recap"
}

cd "$ROOT" || exit
for run in 1 2; do
    run_log="$demo_dir/run$run.log"
    log "ansible-playbook ${playbook#"$ROOT/"} (run $run/2, ansible-core $("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)'))"
    set +o errexit
    ansible-playbook "$playbook" 2>&1 | tee "$run_log"
    rc=${PIPESTATUS[0]}
    set -o errexit
    [ "$rc" -eq 0 ] || die "ansible-playbook failed in run $run (rc=$rc; log: ${run_log#"$ROOT/"})"
    # run 1 may change things; run 2 must not
    recap_check "$run_log" "$((run - 1))" >/dev/null
done
log "demo OK: second run reported changed=0"
