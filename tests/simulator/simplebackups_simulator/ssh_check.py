"""The real SSH login behind ``validate-connection`` (VALIDATION_MODE=ssh).

The simulator logs in to the host exactly as the service would: as the
server's user, with the private key it generated at ``server/add`` (SSH-key
servers) or with the password (password servers), and runs a trivial command.
"""

from __future__ import annotations

import errno
import io
import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import Optional

# Without any handler, paramiko's tracebacks of failed handshakes would go to
# stderr through logging's last resort; the answer of validate-connection
# already says what went wrong.
logging.getLogger("paramiko").addHandler(logging.NullHandler())

PROBE_COMMAND = "echo simplebackups-ok"
PROBE_OUTPUT = "simplebackups-ok"


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    message: str


def is_loopback(host: str) -> bool:
    """True when every address ``host`` resolves to is on this machine's loopback."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)


def check_login(host: str, port: int, user: str, *, private_key: Optional[str], password: Optional[str],
                timeout: float, allow_remote: bool = False) -> LoginResult:
    """Log in over SSH and run the probe command; never raises."""
    if not allow_remote and not is_loopback(host):
        return LoginResult(False, f"The simulator only logs in to loopback hosts and {host} is not one "
                                  f"(start it with SSH_ALLOW_REMOTE=1 to let it reach {host}:{port}).")
    # Imported here: paramiko is slow to import and only this check needs it,
    # so the simulator starts faster.
    import paramiko

    where = f"{user}@{host}:{port}"
    client = paramiko.SSHClient()
    # Like the service on first contact, trust whatever host key the server shows.
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    sock: Optional[socket.socket] = None
    try:
        pkey = paramiko.Ed25519Key.from_private_key(io.StringIO(private_key)) if private_key else None
        # Our own TCP connection: paramiko would use one timeout for both the
        # TCP connect and the whole handshake, and when that equals the banner
        # timeout the two race and the real cause gets lost.
        sock = socket.create_connection((host, port), timeout=timeout)
        client.connect(
            hostname=host,
            port=port,
            username=user,
            pkey=pkey,
            password=password or None,
            sock=sock,
            timeout=timeout * 2,
            banner_timeout=timeout,
            auth_timeout=timeout,
            channel_timeout=timeout,
            look_for_keys=False,
            allow_agent=False,
        )
        _stdin, stdout, _stderr = client.exec_command(PROBE_COMMAND, timeout=timeout)
        output = stdout.read().decode("utf-8", "replace").strip()
        exit_status = stdout.channel.recv_exit_status()
        if exit_status != 0 or output != PROBE_OUTPUT:
            return LoginResult(False, f"Logged in to {where} but the test command failed (exit status {exit_status}).")
        return LoginResult(True, f"Connected to {where}.")
    except paramiko.AuthenticationException:
        how = "the SimpleBackups public key was not accepted (run the install command on the server as that user)" \
            if private_key else "the password was rejected"
        return LoginResult(False, f"Authentication failed for {where}: {how}.")
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message
        return LoginResult(False, _describe(exc, host, port, user, timeout))
    finally:
        client.close()
        if sock is not None:
            sock.close()


def _describe(exc: BaseException, host: str, port: int, user: str, timeout: float) -> str:
    """A one-line reason for a failed login, naming host:port and user."""
    import paramiko

    target = f"{host}:{port} as {user}"
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        # paramiko wraps the socket errors of every address it tried.
        causes = list(exc.errors.values())
        if any(isinstance(c, (socket.timeout, TimeoutError)) for c in causes):
            return f"Timed out after {timeout:g}s connecting to {target}."
        if all(getattr(c, "errno", None) == errno.ECONNREFUSED for c in causes):
            return f"Could not connect to {host}:{port} (connection refused) as {user}."
        return f"Could not connect to {target}: {causes[0] if causes else exc}."
    if isinstance(exc, ConnectionRefusedError):
        return f"Could not connect to {host}:{port} (connection refused) as {user}."
    if isinstance(exc, socket.gaierror):
        return f"Could not resolve host {host} (connecting to {target})."
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"Timed out after {timeout:g}s connecting to {target}."
    if isinstance(exc, paramiko.SSHException) and "banner" in str(exc).lower():
        return f"Timed out after {timeout:g}s waiting for the SSH banner of {target} (is it an SSH server?)."
    if isinstance(exc, OSError) and exc.strerror:
        return f"Could not connect to {target}: {exc.strerror}."
    return f"SSH error talking to {target}: {exc or type(exc).__name__}."
