"""validate-connection in ssh mode: the simulator really logs in over SSH.

A paramiko SSH server runs in the test; the install command is run for real
with bash and curl (HOME pointed at a temporary directory), and it is the
``authorized_keys`` it writes that lets the simulator in.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import subprocess

import pytest

from sim_helpers import add_backup, add_server
from sim_sshd import TinySSHServer

pytestmark = pytest.mark.skipif(not (shutil.which("bash") and shutil.which("curl")), reason="needs bash and curl")


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def sshd(home):
    server = TinySSHServer(user="deploy", authorized_keys=str(home / ".ssh" / "authorized_keys"),
                           password="pw-123").start()
    yield server
    server.stop()


def add_ssh_server(api, port, user="deploy"):
    response = api.post("/server/add", {"name": "ssh-box", "connection_type": "ssh", "host": "127.0.0.1",
                                        "port": port, "user": user})
    assert response.status_code == 200, response.text
    return response.json()["data"]


def run_install_command(command, home):
    env = {"HOME": str(home), "PATH": os.environ["PATH"]}
    return subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=30,
                          check=False)


def validate(api, server_id):
    response = api.get(f"/server/{server_id}/validate-connection")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    return body["data"]


def test_key_install_then_validation_succeeds(api, control, sshd, home):
    server = add_ssh_server(api, sshd.port)
    before = validate(api, server["id"])
    assert before["status"] is False
    assert "Authentication failed for deploy@127.0.0.1" in before["message"]

    result = run_install_command(server["install_command"], home)
    assert result.returncode == 0, result.stderr
    ssh_dir, keys = home / ".ssh", home / ".ssh" / "authorized_keys"
    assert stat.S_IMODE(ssh_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert keys.read_text() == server["public_key"] + "\n"

    assert validate(api, server["id"]) == {"status": True, "message": ""}
    assert "deploy" in sshd.logins
    state = next(s for s in control.state()["servers"] if s["id"] == server["id"])
    assert state["validated"] is True and state["called_back_at"] is not None
    assert state["private_key"] == "<redacted>"


def test_install_is_idempotent_and_keeps_existing_keys(api, sshd, home):
    server = add_ssh_server(api, sshd.port)
    (home / ".ssh").mkdir(mode=0o755)
    (home / ".ssh" / "authorized_keys").write_text("ssh-ed25519 AAAAexisting user@laptop")  # no final newline
    for dummy in range(2):
        assert run_install_command(server["install_command"], home).returncode == 0
    lines = (home / ".ssh" / "authorized_keys").read_text().splitlines()
    assert lines == ["ssh-ed25519 AAAAexisting user@laptop", server["public_key"]]
    assert validate(api, server["id"])["status"] is True


def test_wrong_user_fails_authentication(api, sshd, home):
    server = add_ssh_server(api, sshd.port, user="root")
    run_install_command(server["install_command"], home)
    data = validate(api, server["id"])
    assert data["status"] is False
    assert "root@127.0.0.1" in data["message"] and "Authentication failed" in data["message"]


def test_nothing_listening_is_connection_refused(api):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = add_ssh_server(api, port)
    data = validate(api, server["id"])
    assert data["status"] is False
    assert data["message"] == f"Could not connect to 127.0.0.1:{port} (connection refused) as deploy."


def test_hosts_off_the_loopback_are_never_contacted_by_default(api, monkeypatch):
    attempts = []

    def refuse_and_record(*args, **kwargs):
        attempts.append(args)
        raise OSError()

    monkeypatch.setattr(socket, "create_connection", refuse_and_record)
    response = api.post("/server/add", {"name": "far-box", "connection_type": "ssh", "host": "192.0.2.10",
                                        "port": 22, "user": "deploy"})
    assert response.status_code == 200, response.text
    data = validate(api, response.json()["data"]["id"])
    assert data["status"] is False
    assert "only logs in to loopback hosts and 192.0.2.10 is not one" in data["message"]
    assert attempts == []


def test_silent_host_times_out(api, control):
    control.config(ssh_timeout=0.5)
    with socket.socket() as silent:  # accepts TCP, never speaks SSH
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        server = add_ssh_server(api, silent.getsockname()[1])
        data = validate(api, server["id"])
    assert data["status"] is False
    assert re.match(r"Timed out after 0\.5s .*127\.0\.0\.1:\d+ as deploy", data["message"]), data["message"]


def test_password_server_logs_in_with_its_password(api, sshd):
    good = add_server(api, host="127.0.0.1", port=sshd.port, user="deploy", password="pw-123")
    bad = add_server(api, host="127.0.0.1", port=sshd.port, user="deploy", password="nope")
    assert validate(api, good["id"]) == {"status": True, "message": ""}
    data = validate(api, bad["id"])
    assert data["status"] is False and "password was rejected" in data["message"]


def test_jobs_of_unvalidated_ssh_servers_fail_in_auto_mode(api, control, sshd, home):
    server = add_ssh_server(api, sshd.port)
    backup = add_backup(api, server["id"])
    failed = api.get(f"/backup/{backup['id']}/run").json()["data"]["id"]
    run_install_command(server["install_command"], home)
    assert validate(api, server["id"])["status"] is True
    succeeded = api.get(f"/backup/{backup['id']}/run").json()["data"]["id"]
    control.advance(6)
    statuses = {j["id"]: j["status"] for j in api.get("/stats/activity", params={"type": "backup"}).json()["data"]}
    assert statuses == {failed: "error", succeeded: "success"}
