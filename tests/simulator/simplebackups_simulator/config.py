"""Simulator configuration: defaults, environment parsing and runtime changes.

Two groups of settings exist:

* start-up settings (host, port, tokens, state file, TLS files), fixed for the
  life of the process;
* runtime settings (``RUNTIME_KEYS``), which tests may change at any time
  through ``POST /_sim/config``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping, Optional

VALIDATION_MODES = ("ssh", "callback")
JOB_OUTCOMES = ("auto", "success", "error")

#: Settings that ``POST /_sim/config`` may change while the simulator runs.
RUNTIME_KEYS = (
    "page_size",
    "rate_limit",
    "job_seconds",
    "removal_delay",
    "validation_mode",
    "job_outcome",
    "ssh_timeout",
)


class ConfigError(ValueError):
    """A setting has a value the simulator cannot work with."""


@dataclass(frozen=True)
class SimulatorConfig:
    """All settings of one simulator instance (immutable; use ``replace``)."""

    host: str = "127.0.0.1"
    port: int = 8765
    token: str = "sb-sim-token"
    token2: str = "sb-sim-token-2"
    rate_limit: int = 60
    state_file: Optional[str] = None
    job_seconds: float = 6.0
    removal_delay: float = 5.0
    validation_mode: str = "ssh"
    job_outcome: str = "auto"
    page_size: Optional[int] = None
    tls_cert: Optional[str] = None
    tls_key: Optional[str] = None
    ssh_timeout: float = 5.0
    # Off by default: a test run never sends SSH traffic beyond this machine by mistake.
    ssh_allow_remote: bool = False
    quiet: bool = False

    def __post_init__(self) -> None:
        _check(self)

    def replace(self, **changes: Any) -> "SimulatorConfig":
        """Return a copy with ``changes`` applied (values are coerced and checked)."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        coerced = {key: _coerce(key, value) for key, value in changes.items()}
        return dataclasses.replace(self, **coerced)

    def runtime(self) -> dict:
        """The runtime-changeable settings, as shown by ``GET /_sim/config``."""
        return {key: getattr(self, key) for key in RUNTIME_KEYS}

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "SimulatorConfig":
        """Build a config from keyword-style settings (unknown keys are an error)."""
        return cls().replace(**dict(values))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "SimulatorConfig":
        """Build a config from environment variables (see README for the list)."""
        values: dict[str, Any] = {}
        for key in (f.name for f in dataclasses.fields(cls)):
            raw = environ.get(key.upper())
            if raw is None or raw == "":
                continue
            values[key] = raw
        return cls.from_mapping(values)


# --- coercion and checks -----------------------------------------------------

_INT_KEYS = {"port", "rate_limit"}
_FLOAT_KEYS = {"job_seconds", "removal_delay", "ssh_timeout"}
_OPTIONAL_INT_KEYS = {"page_size"}
_BOOL_KEYS = {"quiet", "ssh_allow_remote"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _coerce(key: str, value: Any) -> Any:
    """Turn an environment string or JSON value into the setting's type."""
    try:
        if key in _OPTIONAL_INT_KEYS:
            # 0, null, "" and "none" all mean "no pagination".
            if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
                return None
            return _to_int(value) or None
        if key in _INT_KEYS:
            return _to_int(value)
        if key in _FLOAT_KEYS:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if key in _BOOL_KEYS:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(f"{key}: invalid value {value!r}") from None
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{key}: expected a string, got {value!r}")
    return value


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        return int(value)
    return int(str(value).strip())


def _check(config: SimulatorConfig) -> None:
    if not 0 <= config.port <= 65535:
        raise ConfigError(f"port: {config.port} is out of range")
    if config.rate_limit < 1:
        raise ConfigError("rate_limit: must be at least 1")
    if config.page_size is not None and config.page_size < 1:
        raise ConfigError("page_size: must be at least 1 (or null for no pagination)")
    for key in ("job_seconds", "removal_delay"):
        if getattr(config, key) < 0:
            raise ConfigError(f"{key}: must not be negative")
    if config.ssh_timeout <= 0:
        raise ConfigError("ssh_timeout: must be positive")
    if config.validation_mode not in VALIDATION_MODES:
        raise ConfigError(f"validation_mode: must be one of {', '.join(VALIDATION_MODES)}")
    if config.job_outcome not in JOB_OUTCOMES:
        raise ConfigError(f"job_outcome: must be one of {', '.join(JOB_OUTCOMES)}")
    if not config.token or not config.token2:
        raise ConfigError("token/token2: must not be empty")
    if config.token == config.token2:
        raise ConfigError("token and token2 must differ")
    if bool(config.tls_cert) != bool(config.tls_key):
        raise ConfigError("tls_cert and tls_key go together")
