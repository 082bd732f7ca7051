#!/usr/bin/env bash
# Build the collection tarball (build/) and install it into build/collections/.
#   .ci/build.sh [2.19|2.21]      (default 2.19)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
version="${1:-2.19}"
venv="$(ensure_venv "$version")"
tarball="$(build_and_install_collection "$venv")"
log "built $tarball ($(tar -tzf "$tarball" | wc -l) entries); installed under $COLLECTIONS_DIR"
