#!/usr/bin/env bash
# ansible-test sanity for one ansible-core version, fully offline except PyPI.
#
#   .ci/sanity.sh 2.19 [extra ansible-test args]    (Python 3.11)
#   .ci/sanity.sh 2.21 [extra ansible-test args]    (Python 3.12+)
#
# ansible-test needs the collection at .../ansible_collections/<ns>/<name>/ (a symlink is
# not accepted), so the working tree's files (tracked + untracked-but-not-ignored, i.e.
# what git would commit) are copied into build/sanity-<version>/ansible_collections/...
# The results stay in that copy's tests/output/. Sanity venvs are cached by ansible-test
# in ~/.ansible/test/venv (first run: a few minutes of pip installs from PyPI).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="${1:?usage: sanity.sh 2.19|2.21 [ansible-test args]}"
shift
venv="$(ensure_venv "$version")"
python_version="$(venv_python_version "$version")"

# 1. Offline stand-in for the get-pip script ansible-test would download.
pip_version="$("$venv/bin/python" -c '
import types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version="'"$python_version"'"))["pip"])')"
cache_dir="$HOME/.ansible/test/cache"
get_pip="$cache_dir/get_pip_${pip_version//./_}.py"
mkdir -p "$cache_dir"
if [ ! -f "$get_pip" ] || grep -q simplebackups-ansible-test-get-pip-stand-in "$get_pip"; then
    cp "$CI_DIR/ansible-test-get-pip.py" "$get_pip"
fi

# 2. Copy the collection into an ansible_collections/ tree.
dest_root="$BUILD_DIR/sanity-$version"
dest="$dest_root/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME"
rm -rf "$dest_root"
mkdir -p "$dest"
log "copying collection files to $dest"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard --deduplicate \
        | while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done \
        | tar --null --files-from=- -cf -) | tar -xf - -C "$dest"
else
    (cd "$ROOT" && tar -cf - --exclude=./.git --exclude=./.venv --exclude=./build \
        --exclude=./tests/output --exclude=__pycache__ --exclude=.pytest_cache .) | tar -xf - -C "$dest"
fi

# The copy lives inside this repository's work tree, where ansible-test would find the
# outer .git (in which build/ is ignored) and see no files at all: give the copy its
# own (throw-away, never committed) git repository so ansible-test lists exactly the
# copied files.
git -C "$dest" init --quiet

# 3. Run it.
log "ansible-test sanity (ansible-core $version, Python $python_version)"
cd "$dest"
export PATH="$venv/bin:$PATH"
set +o errexit
ansible-test sanity --venv --python "$python_version" --color "${ANSIBLE_TEST_COLOR:-no}" "$@"
rc=$?
set -o errexit
if [ "$rc" -ne 0 ]; then
    log "ansible-test sanity ($version) FAILED (rc=$rc); results: $dest/tests/output/"
fi
exit "$rc"
