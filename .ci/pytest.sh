#!/usr/bin/env bash
# Run pytest on one test directory with one tool venv.
#   .ci/pytest.sh 2.19|2.21 tests/unit [extra pytest args]
# pytest's exit code 5 ("no tests collected") is turned into a failure with a clear
# message: every suite run by `make test` is expected to contain tests.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="${1:?usage: pytest.sh 2.19|2.21 DIR [pytest args]}"
dir="${2:?usage: pytest.sh 2.19|2.21 DIR [pytest args]}"
shift 2
venv="$(ensure_venv "$version")"
cd "$ROOT" || exit
[ -d "$dir" ] || die "$dir does not exist: nothing to test (ansible-core $version)"

log "pytest $dir (ansible-core $version, Python $(venv_python_version "$version"))"
set +o errexit
"$venv/bin/python" -m pytest "$dir" -q -p no:cacheprovider "$@"
rc=$?
set -o errexit
case "$rc" in
    0) ;;
    5) die "pytest collected NO tests in $dir (ansible-core $version): that suite must not be empty." ;;
    *) log "pytest $dir FAILED (ansible-core $version, rc=$rc)" ;;
esac
exit "$rc"
