"""A tiny real SSH server (paramiko) for the validate-connection tests.

It speaks the SSH protocol on 127.0.0.1, accepts one user, authenticates by
the public keys listed in an ``authorized_keys`` file (read at each login, as
sshd does) or by a password, and answers ``exec`` requests of ``echo ...``.
"""

from __future__ import annotations

import io
import os
import socket
import threading
from typing import Optional

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _host_key() -> paramiko.PKey:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    ).decode()
    return paramiko.Ed25519Key.from_private_key(io.StringIO(pem))


class _Interface(paramiko.ServerInterface):
    def __init__(self, owner: "TinySSHServer"):
        self.owner = owner
        self.command: Optional[bytes] = None
        self.exec_event = threading.Event()

    def get_allowed_auths(self, username):
        return "publickey,password"

    def check_auth_publickey(self, username, key):
        if username == self.owner.user and self.owner.key_authorised(key):
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_auth_password(self, username, password):
        if username == self.owner.user and self.owner.password is not None and password == self.owner.password:
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_exec_request(self, channel, command):
        self.command = command
        self.exec_event.set()
        return True


class TinySSHServer:
    """Serve SSH on a free port of 127.0.0.1 until ``stop()``."""

    def __init__(self, user: str, authorized_keys: Optional[str] = None, password: Optional[str] = None):
        self.user = user
        self.authorized_keys = authorized_keys
        self.password = password
        self.logins: list[str] = []
        self._host_key = _host_key()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._sock.settimeout(0.05)  # lets the accept loop notice stop() quickly
        self.port = self._sock.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def start(self) -> "TinySSHServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=2)
        self._sock.close()

    def key_authorised(self, key: paramiko.PKey) -> bool:
        if not self.authorized_keys or not os.path.exists(self.authorized_keys):
            return False
        with open(self.authorized_keys, encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == key.get_name() and parts[1] == key.get_base64():
                    return True
        return False

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                client, dummy_address = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            client.settimeout(None)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        transport = paramiko.Transport(client)
        transport.add_server_key(self._host_key)
        interface = _Interface(self)
        try:
            transport.start_server(server=interface)
            channel = transport.accept(timeout=5)
            if channel is None:
                return
            self.logins.append(transport.get_username())
            if interface.exec_event.wait(5):
                command = (interface.command or b"").decode()
                if command.startswith("echo "):
                    channel.sendall((command[5:] + "\n").encode())
                    channel.send_exit_status(0)
                else:
                    channel.send_exit_status(127)
            channel.close()
        except (paramiko.SSHException, EOFError, OSError):
            pass
        finally:
            transport.close()
