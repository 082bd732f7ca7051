"""The bash script that ``GET /api/setup/{id}/connect`` serves to a host.

``install_command`` pipes it into ``bash -s <uuid>``, run on the host as the
SSH user given at ``server/add``. In ``ssh`` validation mode it authorises the
service's public key for that user, as the real service's script does. In
``callback`` mode (demos without a reachable host) it leaves ``~/.ssh`` alone
and only reports back. Either way it then calls the callback URL; a failed
callback does not fail the script.
"""

from __future__ import annotations

import shlex

_HEADER = """#!/usr/bin/env bash
# SimpleBackups simulator: connect this host to SimpleBackups (server {server_id}).
set -eu
SB_UUID="${{1:-}}"
SB_CALLBACK={callback}
"""

_AUTHORISE = """SB_PUBLIC_KEY={public_key}
SB_HOME="${{HOME:-$(getent passwd "$(id -un)" | cut -d: -f6)}}"
umask 077
mkdir -p "$SB_HOME/.ssh"
chmod 700 "$SB_HOME/.ssh"
SB_AUTH_KEYS="$SB_HOME/.ssh/authorized_keys"
touch "$SB_AUTH_KEYS"
chmod 600 "$SB_AUTH_KEYS"
if ! grep -qxF "$SB_PUBLIC_KEY" "$SB_AUTH_KEYS"; then
  # Do not glue the key onto a last line that lacks its newline.
  if [ -s "$SB_AUTH_KEYS" ] && [ -n "$(tail -c 1 "$SB_AUTH_KEYS")" ]; then
    printf '\\n' >> "$SB_AUTH_KEYS"
  fi
  printf '%s\\n' "$SB_PUBLIC_KEY" >> "$SB_AUTH_KEYS"
  echo "SimpleBackups: public key authorised for $(id -un)."
else
  echo "SimpleBackups: public key already authorised for $(id -un)."
fi
"""

_CALLBACK = """curl -fsS -m 10 "${SB_CALLBACK}&uuid=${SB_UUID}" >/dev/null 2>&1 || true
echo "SimpleBackups: setup finished."
"""


def render_setup_script(*, server_id: int, public_key: str, callback_url: str, authorise_key: bool) -> str:
    """The script text; ``callback_url`` already carries ``?token=...``."""
    parts = [_HEADER.format(server_id=server_id, callback=shlex.quote(callback_url))]
    if authorise_key:
        parts.append(_AUTHORISE.format(public_key=shlex.quote(public_key)))
    parts.append(_CALLBACK)
    return "".join(parts)
