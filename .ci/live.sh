#!/usr/bin/env bash
# `make test-live`: the integration targets against the REAL SimpleBackups service.
#
#   .ci/live.sh [target ...]        (default: every target under tests/integration/targets)
#
# Needs a token of a TEST account and two objects of its current team that the API cannot make:
#   SIMPLEBACKUPS_API_TOKEN        the API token (never printed; passed in a 0600 vars file)
#   SIMPLEBACKUPS_TEST_STORAGE     exact name of a storage the targets send backups to
#   SIMPLEBACKUPS_TEST_SERVER      exact name of a connected server the run targets back up
#                                  SIMPLEBACKUPS_TEST_FILE_PATH from (default /etc/hostname)
# Optional:
#   SIMPLEBACKUPS_API_URL          default https://my.simplebackups.io/api
#   SIMPLEBACKUPS_TEST_STORAGE_2   a second storage for secondary copies (default: the first)
#   SIMPLEBACKUPS_TEST_TEAM        another team of the account: enables the team target, which
#                                  switches the account to it and back
#   SIMPLEBACKUPS_TEST_PREFIX      prefix of every name the targets make (default ansible-test-<random>)
#   LIVE_VENV_VERSION              2.19 (default) or 2.21
# Without the three required variables it prints SKIPPED and exits 0. Everything the targets
# make is named "<prefix>-..." and removed again by the targets themselves (see
# tests/integration/README.md). Logs: build/live/<target>.log.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

missing=()
for name in SIMPLEBACKUPS_API_TOKEN SIMPLEBACKUPS_TEST_STORAGE SIMPLEBACKUPS_TEST_SERVER; do
    [ -n "${!name:-}" ] || missing+=("$name")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "SKIPPED: make test-live needs SIMPLEBACKUPS_API_TOKEN, SIMPLEBACKUPS_TEST_STORAGE and" \
         "SIMPLEBACKUPS_TEST_SERVER (missing: ${missing[*]}); see tests/integration/README.md"
    exit 0
fi

version="${LIVE_VENV_VERSION:-2.19}"
targets_dir="$ROOT/tests/integration/targets"
live_dir="$BUILD_DIR/live"
prefix="${SIMPLEBACKUPS_TEST_PREFIX:-ansible-test-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')}"
[[ "$prefix" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "SIMPLEBACKUPS_TEST_PREFIX must be letters, digits, '.', '_' or '-'"

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(find "$targets_dir" -mindepth 3 -maxdepth 3 -path '*/tasks/main.yml' \
        | sed 's|/tasks/main.yml$||; s|.*/||' | sort)
fi
for target in "${targets[@]}"; do
    [ -f "$targets_dir/$target/tasks/main.yml" ] || die "no integration target '$target' in ${targets_dir#"$ROOT/"}"
done

venv="$(ensure_venv "$version")"
build_and_install_collection "$venv" >/dev/null
rm -rf "$live_dir"
mkdir -p "$live_dir/tmp"

# The variables of tests/integration/integration_config.yml.template, written by Python so that
# every value is quoted right; the file holds the token: 0600, removed on exit.
vars_file="$live_dir/integration_config.json"
cleanup() { rm -f "$vars_file"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
(
    umask 077
    PREFIX="$prefix" "$venv/bin/python" - >"$vars_file" <<'EOF'
import json, os
env = os.environ
values = {
    "simplebackups_api_token": env["SIMPLEBACKUPS_API_TOKEN"],
    "simplebackups_api_url": env.get("SIMPLEBACKUPS_API_URL") or "https://my.simplebackups.io/api",
    "simplebackups_resource_prefix": env["PREFIX"],
    "simplebackups_simulator": False,
    "simplebackups_storage_name": env["SIMPLEBACKUPS_TEST_STORAGE"],
    "simplebackups_secondary_storage_name": env.get("SIMPLEBACKUPS_TEST_STORAGE_2") or env["SIMPLEBACKUPS_TEST_STORAGE"],
    "simplebackups_test_server": env["SIMPLEBACKUPS_TEST_SERVER"],
    "simplebackups_run_file_path": env.get("SIMPLEBACKUPS_TEST_FILE_PATH") or "/etc/hostname",
}
if env.get("SIMPLEBACKUPS_TEST_TEAM"):
    values["simplebackups_team_target"] = env["SIMPLEBACKUPS_TEST_TEAM"]
print(json.dumps(values))
EOF
)

export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_DIR" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_ROLES_PATH="$targets_dir"
export ANSIBLE_HOME="$BUILD_DIR/.ansible" ANSIBLE_LOCAL_TEMP="$live_dir/tmp" ANSIBLE_REMOTE_TMP="$live_dir/tmp"
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_RETRY_FILES_ENABLED=false
export PATH="$venv/bin:$PATH"
# The modules read these when no option is set: keep them out of the targets' way.
unset SIMPLEBACKUPS_API_TOKEN

cd "$ROOT" || exit
log "live targets against ${SIMPLEBACKUPS_API_URL:-https://my.simplebackups.io/api}, prefix '$prefix'" \
    "(the API allows 60 requests a minute: expect waits on HTTP 429)"
passed=() failed=() skipped=()
for target in "${targets[@]}"; do
    if [ "$target" = simplebackups_team ] && [ -z "${SIMPLEBACKUPS_TEST_TEAM:-}" ]; then
        log "$target: skipped (set SIMPLEBACKUPS_TEST_TEAM to another team of the account to run it)"
        skipped+=("$target")
        continue
    fi
    playbook="$live_dir/$target.yml"
    printf -- '- name: Live target %s\n  hosts: localhost\n  gather_facts: false\n  roles:\n    - %s\n' \
        "$target" "$target" >"$playbook"
    log "$target (log: build/live/$target.log)"
    start=$SECONDS
    set +o errexit
    ansible-playbook "$playbook" -e "@$vars_file" 2>&1 | tee "$live_dir/$target.log"
    rc=${PIPESTATUS[0]}
    set -o errexit
    if [ "$rc" -eq 0 ]; then
        passed+=("$target")
        log "$target passed in $((SECONDS - start)) s"
    else
        failed+=("$target")
        warn "$target FAILED (rc=$rc) in $((SECONDS - start)) s; its cleanup ran in 'always'. Leftovers, if any, are named '$prefix-...'"
    fi
done

echo
echo "test-live summary (prefix $prefix): ${#passed[@]} passed, ${#failed[@]} failed, ${#skipped[@]} skipped"
[ "${#failed[@]}" -eq 0 ] || { echo "FAILED: ${failed[*]}"; exit 1; }
