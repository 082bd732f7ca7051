"""Loading and atomically saving the state file (``STATE_FILE``)."""

from __future__ import annotations

import json
import os
import tempfile
from typing import Optional


class StateFileError(RuntimeError):
    """The state file exists but cannot be used."""


def load_state_file(path: str) -> Optional[dict]:
    """Return the JSON document stored at ``path``, or None when there is none.

    A file that exists but is not valid JSON is an error rather than a silent
    re-seed: losing a user's state without a word would be worse.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StateFileError(f"cannot load state file {path}: {exc}") from exc


def save_state_file(path: str, document: dict) -> None:
    """Write ``document`` to ``path`` atomically (temp file + fsync + rename).

    The file holds private keys and passwords, so it is created mode 0600.
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(prefix=".sbsim-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_path, 0o600)
        os.replace(tmp_path, path)
    except BaseException:
        try:
            os.unlink(tmp_path)
        except OSError:
            pass
        raise
