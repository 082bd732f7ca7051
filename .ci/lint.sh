#!/usr/bin/env bash
# ansible-lint (production profile, offline; config in .ansible-lint) with the 2.21 venv.
# The collection is built and installed into build/collections first so that
# simplebackups.simplebackups.* FQCNs in playbooks/roles/tests resolve.
#   .ci/lint.sh [extra ansible-lint args]
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
venv="$(ensure_venv 2.21)"
build_and_install_collection "$venv" >/dev/null
cd "$ROOT" || exit
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_DIR"
export PATH="$venv/bin:$PATH"
log "ansible-lint (profile production, offline)"
ansible-lint --offline --profile production "$@"
