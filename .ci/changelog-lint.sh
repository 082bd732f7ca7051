#!/usr/bin/env bash
# Lint changelog fragments and changelogs/changelog.yaml with antsibull-changelog (2.21 venv).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
venv="$(ensure_venv 2.21)"
cd "$ROOT" || exit
log "antsibull-changelog lint"
"$venv/bin/antsibull-changelog" lint
"$venv/bin/antsibull-changelog" lint-changelog-yaml changelogs/changelog.yaml
log "changelog lint OK ($(find changelogs/fragments -type f \( -name '*.yml' -o -name '*.yaml' \) | wc -l) fragment(s))"
