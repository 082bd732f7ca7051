# shellcheck shell=bash
# Common helpers for the .ci/ scripts. Source it; do not execute it.
#
# Interpreters are discovered at run time (never hard-coded):
#   ansible-core 2.19 -> Python 3.11 (python3.11, else python3 if 3.11-3.13, else pyenv 3.11.x)
#   ansible-core 2.21 -> Python 3.12+ (python3.13/python3.12 on PATH, else pyenv 3.13.x/3.12.x,
#                        else python3 if it is 3.12+)
# Override with PYTHON_2_19=/path/to/python or PYTHON_2_21=/path/to/python.

set -o errexit -o nounset -o pipefail

CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$CI_DIR/.." && pwd)"
VENV_ROOT="${VENV_ROOT:-$ROOT/.venv}"
BUILD_DIR="$ROOT/build"
COLLECTIONS_DIR="$BUILD_DIR/collections"
COLLECTION_NAMESPACE=simplebackups
COLLECTION_NAME=simplebackups

if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then
    _c_blue=$'\033[1;34m' _c_yellow=$'\033[1;33m' _c_red=$'\033[1;31m' _c_off=$'\033[0m'
else
    _c_blue='' _c_yellow='' _c_red='' _c_off=''
fi
log() { printf '%s==>%s %s\n' "$_c_blue" "$_c_off" "$*" >&2; }
warn() { printf '%sWARNING:%s %s\n' "$_c_yellow" "$_c_off" "$*" >&2; }
die() { printf '%sERROR:%s %s\n' "$_c_red" "$_c_off" "$*" >&2; exit 1; }

# _py_minor CANDIDATE -> prints "3.11" if CANDIDATE runs, else fails.
# (pyenv shims exist on PATH for versions that are not active, and fail when run:
# actually run the candidate rather than trusting `command -v`.)
_py_minor() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

_pyenv_versions() { # newest first, for the given minor glob (e.g. 3.13)
    local root
    root="$(pyenv root 2>/dev/null || true)"
    [ -n "$root" ] || root="${PYENV_ROOT:-$HOME/.pyenv}"
    [ -d "$root/versions" ] || return 0
    # shellcheck disable=SC2012
    ls -d "$root/versions/$1".*/bin/python3 2>/dev/null | sort -rV || true
}

# find_python 2.19|2.21 -> prints an absolute interpreter path.
find_python() {
    local ansible="$1" override cand minor
    local -a candidates allowed
    case "$ansible" in
        2.19)
            override="${PYTHON_2_19:-}"
            allowed=(3.11 3.12 3.13)
            mapfile -t candidates < <(echo python3.11; _pyenv_versions 3.11; echo python3)
            ;;
        2.21)
            override="${PYTHON_2_21:-}"
            allowed=(3.12 3.13 3.14)
            mapfile -t candidates < <(echo python3.13; echo python3.12; _pyenv_versions 3.13; _pyenv_versions 3.12; echo python3)
            ;;
        *) die "find_python: unknown ansible-core version '$ansible' (want 2.19 or 2.21)" ;;
    esac
    if [ -n "$override" ]; then
        candidates=("$override")
    fi
    for cand in "${candidates[@]}"; do
        minor="$(_py_minor "$cand")" || continue
        if [[ " ${allowed[*]} " == *" $minor "* ]]; then
            # Resolve to the real executable (not a pyenv shim) so the venv is stable.
            "$cand" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    die "no suitable Python found for ansible-core $ansible (need one of: ${allowed[*]}); tried: ${candidates[*]}. Set PYTHON_${ansible/./_}=/path/to/python to override."
}

venv_dir() { echo "$VENV_ROOT/ansible-$1"; }

# Sanity-test python for a venv: the venv interpreter's X.Y.
venv_python_version() { _py_minor "$(venv_dir "$1")/bin/python"; }

# Ensure the venv exists & is current, then print its path.
ensure_venv() {
    "$CI_DIR/venv.sh" "$1" >&2
    venv_dir "$1"
}

# Build the collection tarball into build/ and install it into build/collections
# (never ~/.ansible) with the given venv's ansible-galaxy; prints the tarball path.
# Fails if the tarball holds files that must never ship (.venv, build, tests/output, .git).
build_and_install_collection() {
    local venv="$1" tarball bad
    mkdir -p "$BUILD_DIR" "$COLLECTIONS_DIR"
    if command -v flock >/dev/null 2>&1; then   # make -j: demo and lint both install here
        exec 8>"$BUILD_DIR/.collection.lock"
        flock 8
    fi
    rm -f "$BUILD_DIR/$COLLECTION_NAMESPACE-$COLLECTION_NAME"-*.tar.gz
    # Keep ansible-galaxy's cache and temp files in build/ too (nothing written to ~/.ansible).
    export ANSIBLE_HOME="$BUILD_DIR/.ansible"
    log "ansible-galaxy collection build -> $BUILD_DIR/"
    (cd "$ROOT" && "$venv/bin/ansible-galaxy" collection build --force --output-path "$BUILD_DIR" . >&2)
    tarball="$(ls "$BUILD_DIR/$COLLECTION_NAMESPACE-$COLLECTION_NAME"-*.tar.gz)"
    bad="$(tar -tzf "$tarball" | grep -E '^(\./)?(\.venv|build|tests/output|\.git|\.ci|\.pytest_cache)(/|$)|__pycache__|\.pyc$' || true)"
    if [ -n "$bad" ]; then
        die "$tarball contains files that must not ship (extend build_ignore in galaxy.yml):
$(echo "$bad" | head -20)"
    fi
    log "ansible-galaxy collection install $(basename "$tarball") -> $COLLECTIONS_DIR/"
    ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_DIR" "$venv/bin/ansible-galaxy" collection install --force --offline \
        --collections-path "$COLLECTIONS_DIR" "$tarball" >&2
    [ -f "$COLLECTIONS_DIR/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME/meta/runtime.yml" ] \
        || die "collection not installed where expected under $COLLECTIONS_DIR"
    if command -v flock >/dev/null 2>&1; then
        exec 8>&-
    fi
    echo "$tarball"
}
