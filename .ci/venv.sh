#!/usr/bin/env bash
# Create/refresh .venv/ansible-<version> idempotently.
#
#   .ci/venv.sh 2.19   -> .venv/ansible-2.19 (Python 3.11, ansible-core 2.19 + test deps)
#   .ci/venv.sh 2.21   -> .venv/ansible-2.21 (Python 3.12+, ansible-core 2.21 + test + lint deps)
#
# A stamp file records a hash of the requirement files (and tests/simulator/requirements.txt
# when present) plus the interpreter; when it matches, nothing is done (instant re-runs).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="${1:?usage: venv.sh 2.19|2.21}"
req="$ROOT/requirements/ansible-$version.txt"
[ -f "$req" ] || die "missing $req"
venv="$(venv_dir "$version")"
stamp="$venv/.requirements.sha256"

req_args=(-r "$req")
hash_inputs=("$req" "$ROOT/requirements/test.txt")
[ "$version" = 2.21 ] && hash_inputs+=("$ROOT/requirements/lint.txt")
sim_req="$ROOT/tests/simulator/requirements.txt"
if [ -f "$sim_req" ]; then
    req_args+=(-r "$sim_req")
    hash_inputs+=("$sim_req")
fi

mkdir -p "$VENV_ROOT"
# Serialise concurrent runs (make -j) on the same venv.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$VENV_ROOT/.ansible-$version.lock"
    flock 9
fi

# Cheap path first: if the venv's interpreter works and the stamp matches, we are done.
compute_hash() {
    { cat "${hash_inputs[@]}"; echo "python=$1"; } | sha256sum | cut -d' ' -f1
}
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ]; then
    venv_py_ver="$("$venv/bin/python" -c 'import sys; print(sys.version)' 2>/dev/null || true)"
    if [ -n "$venv_py_ver" ] && [ "$(cat "$stamp")" = "$(compute_hash "$venv_py_ver")" ]; then
        exit 0
    fi
fi

python="$(find_python "$version")"
py_ver="$("$python" -c 'import sys; print(sys.version)')"
log "venv $venv (ansible-core $version) with $python ($("$python" -c 'import platform; print(platform.python_version())'))"

# Recreate when the interpreter changed (or the venv is broken).
if [ -e "$venv" ]; then
    old_ver="$("$venv/bin/python" -c 'import sys; print(sys.version)' 2>/dev/null || true)"
    if [ "$old_ver" != "$py_ver" ]; then
        log "interpreter changed or venv broken: recreating $venv"
        rm -rf "$venv"
    fi
fi

if [ ! -x "$venv/bin/python" ]; then
    if "$python" -c 'import ensurepip, venv' 2>/dev/null; then
        "$python" -m venv "$venv" || die "'$python -m venv $venv' failed."
    elif "$python" -c 'import venv' 2>/dev/null && "$python" -m pip --version >/dev/null 2>&1; then
        warn "$python has no ensurepip module (Debian/Ubuntu ship it separately in python3-venv /" \
             "python3.X-venv); creating the venv without pip and seeding pip from the system pip."
        "$python" -m venv --without-pip "$venv"
        "$python" -m pip --python "$venv/bin/python" install --quiet pip \
            || die "could not seed pip into $venv with the system pip. Install python3-venv (or python3.X-venv) and retry."
    else
        die "$python cannot create a virtualenv: its 'ensurepip' module is missing, so 'python -m venv' cannot install pip.
  On Debian/Ubuntu: sudo apt-get install python3-venv   (or python3.$("$python" -c 'import sys; print(sys.version_info[1])')-venv)
  Without root: point PYTHON_${version/./_} at another interpreter (e.g. a pyenv/uv/conda Python)."
    fi
fi

# pip on some machines has extra local indexes that warn for every package it
# does not hold: drop those lines only.
quiet_pip() {
    "$venv/bin/python" -m pip "$@" 2> >(grep -v "^WARNING: Location 'file:" >&2)
}
log "pip install ${hash_inputs[*]#"$ROOT/"}"
quiet_pip install --quiet --upgrade pip
quiet_pip install --quiet --upgrade "${req_args[@]}"
quiet_pip check >&2 || warn "pip check reported problems in $venv"
compute_hash "$py_ver" > "$stamp"
log "venv ready: $venv (ansible-core $("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)'))"
