#!/usr/bin/env bash
# `make molecule`: the molecule scenario(s) of extensions/molecule/ (default: `default`) with
# the 2.21 venv (molecule is in requirements/lint.txt).
#
#  - As root, installs what the scenario needs when it is missing: openssh-server (sshd),
#    curl (the vendor's install command) and python3 (Ansible on the SSH hosts), with apt-get.
#  - Not root: the scenario cannot add its Unix users nor run sshd for them, so it is
#    reported as SKIPPED (exit 0), saying why.
#  - Builds the collection and installs it, as a real copy, into build/collections
#    (ANSIBLE_COLLECTIONS_PATH); molecule's ephemeral files go to build/molecule/<scenario>.
#  - Prints the wall time of each scenario and the API calls it counted (verify.yml).
#
#   .ci/molecule.sh [scenario ...] [-- extra molecule test args]
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenarios=()
while [ $# -gt 0 ]; do
    case "$1" in
        --) shift; break ;;
        *) scenarios+=("$1"); shift ;;
    esac
done
[ "${#scenarios[@]}" -gt 0 ] || scenarios=(default)

# --- what the scenario needs from the machine ---------------------------------------------
missing_pkgs=()
[ -x /usr/sbin/sshd ] || missing_pkgs+=(openssh-server)
command -v curl >/dev/null 2>&1 || missing_pkgs+=(curl)
[ -x /usr/bin/python3 ] || missing_pkgs+=(python3)
command -v ssh-keygen >/dev/null 2>&1 || missing_pkgs+=(openssh-client)

if [ "$(id -u)" -ne 0 ]; then
    if [ ! -x /usr/sbin/sshd ]; then
        echo "SKIPPED: molecule scenario needs sshd (/usr/sbin/sshd is missing; as root: apt-get install openssh-server) and root to add its SSH users sbhost1/sbhost2"
    else
        echo "SKIPPED: molecule scenario needs root (it adds the Unix users sbhost1/sbhost2 and runs an sshd for each; sshd must run as root to log them in)"
    fi
    exit 0
fi
if [ "${#missing_pkgs[@]}" -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 \
        || die "missing ${missing_pkgs[*]} and no apt-get to install them (the scenario expects Debian's openssh-server)"
    log "apt-get install ${missing_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >&2
fi
# The Debian package starts its own sshd on port 22 in some images; the scenario's sshds
# use their own configs and ports, so that one is neither needed nor touched.

# --- tools and the collection ---------------------------------------------------------------
venv="$(ensure_venv 2.21)"
[ -x "$venv/bin/molecule" ] || die "molecule is not installed in $venv (add 'molecule>=26,<27' to requirements/lint.txt)"
build_and_install_collection "$venv" >/dev/null

export PATH="$venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_DIR"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_HOME="$BUILD_DIR/.ansible"
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-0}"
export PY_COLORS="${PY_COLORS:-0}" NO_COLOR="${NO_COLOR:-1}"
# molecule/ansible-compat keep a cache; keep it in build/ too.
export XDG_CACHE_HOME="$BUILD_DIR/.cache"

cd "$ROOT" || exit
rc=0
declare -a report
for scenario in "${scenarios[@]}"; do
    [ -f "extensions/molecule/$scenario/molecule.yml" ] || die "no scenario extensions/molecule/$scenario"
    eph="$BUILD_DIR/molecule/$scenario"
    report_file="$BUILD_DIR/molecule/$scenario.api_calls.json"
    rm -rf "$eph" "$report_file"
    mkdir -p "$eph"
    log "molecule test -s $scenario (ephemeral files: ${eph#"$ROOT/"})"
    start=$SECONDS
    set +o errexit
    MOLECULE_EPHEMERAL_DIRECTORY="$eph" SBMOL_REPORT="$report_file" molecule test -s "$scenario" "$@"
    src=$?
    set -o errexit
    took=$((SECONDS - start))
    calls=""
    if [ -f "$report_file" ]; then
        calls="$("$venv/bin/python" -c 'import json,sys; c=json.load(open(sys.argv[1])); print("API calls per host: converge %s, idempotent re-run %s (hosts %s, 429s %s)" % (c["converge_per_host"], c["rerun_per_host"], c["hosts"], c["throttled"]))' "$report_file")"
    fi
    if [ "$src" -eq 0 ]; then
        report+=("molecule $scenario: passed in ${took}s. $calls")
    else
        report+=("molecule $scenario: FAILED (rc=$src) after ${took}s. $calls")
        rc=1
    fi
done
printf '%s\n' "${report[@]}"
exit "$rc"
