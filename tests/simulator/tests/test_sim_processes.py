"""Running the simulator: state file, HTTPS, the command line, the Flask app."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from simplebackups_simulator import SimulatorServer, create_app
from sim_helpers import Api, add_backup, add_server

SIMULATOR_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_state_file_survives_a_restart(tmp_path):
    state_file = tmp_path / "state" / "sim.json"
    with SimulatorServer(state_file=str(state_file)) as first:
        api = Api(first.base_url, first.token)
        server = add_server(api, password="pw")
        backup = add_backup(api, server["id"])
        job = api.get(f"/backup/{backup['id']}/run").json()["data"]
        api.patch("/team/3/switch")
        first.advance(120)
        assert state_file.exists()
        assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
        assert not [p for p in state_file.parent.iterdir() if p.name.startswith(".sbsim-")]  # no temp leftovers
        document = json.loads(state_file.read_text())
        assert document["servers"][0]["password"] == "pw"  # the file keeps what the service keeps
    with SimulatorServer(state_file=str(state_file)) as second:
        api = Api(second.base_url, second.token)
        assert api.get("/team/current").json()["data"]["id"] == 3
        api.patch("/team/1/switch")
        assert [b["id"] for b in api.get("/backup/list").json()["data"]] == [backup["id"]]
        jobs = api.get("/stats/activity", params={"type": "backup"}).json()["data"]
        assert [(j["id"], j["status"]) for j in jobs] == [(job["id"], "success")]
        assert second.simulator.clock.offset == pytest.approx(120)
        assert add_server(api)["id"] == server["id"] + 1  # id counters persisted too


def test_corrupt_state_file_is_an_error(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(Exception, match="cannot load state file"):
        SimulatorServer(state_file=str(broken)).start()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1."""
    directory = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_https(certificate):
    cert, key = certificate
    with SimulatorServer(tls_cert=cert, tls_key=key) as sim:
        assert sim.base_url.startswith("https://127.0.0.1:")
        api = Api(sim.base_url, sim.token, verify=cert)
        assert api.get("/team/current").json()["data"]["name"] == "ACME Inc"
        data = api.post("/server/add", {"name": "s", "connection_type": "ssh", "host": "h", "port": 22,
                                        "user": "u"}).json()["data"]
        assert f'"{sim.base_url}/setup/' in data["install_command"]
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(sim.base_url + "/team/list", timeout=10)  # not trusted without the cert
        assert sim.control("GET", "/config")["rate_limit"] == 60


def test_command_line(tmp_path):
    env = dict(os.environ, PYTHONPATH=SIMULATOR_ROOT, PORT="0", TOKEN="cli-token", PAGE_SIZE="2",
               RATE_LIMIT="100", STATE_FILE=str(tmp_path / "s.json"), QUIET="1")
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "simplebackups_simulator"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        second = process.stdout.readline()
        assert time.monotonic() - started < 5
        match = re.fullmatch(r"SimpleBackups simulator listening on (http://127\.0\.0\.1:(\d+)/api)\n", first)
        assert match, first
        assert second == "token: cli-token\n"
        base_url = match[1]
        response = requests.get(base_url + "/storage/list", headers={"Authorization": "Bearer cli-token"},
                                timeout=10)
        assert response.headers["X-RateLimit-Limit"] == "100"
        assert response.json()["meta"]["per_page"] == 2
        api = Api(base_url, "cli-token")
        add_server(api)
        assert (tmp_path / "s.json").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    process.stdout.close()
    assert process.stderr.read() == ""
    process.stderr.close()


def test_command_line_rejects_bad_settings():
    env = dict(os.environ, PYTHONPATH=SIMULATOR_ROOT, PORT="0", VALIDATION_MODE="magic")
    result = subprocess.run([sys.executable, "-m", "simplebackups_simulator"], env=env, capture_output=True,
                            text=True, timeout=20, check=False)
    assert result.returncode == 2
    assert "validation_mode" in result.stderr


def test_flask_test_client():
    app = create_app({"token": "t1", "token2": "t2", "page_size": 3})
    client = app.test_client()
    response = client.get("/api/team/list", headers={"Authorization": "Bearer t1"})
    assert response.status_code == 200
    assert response.get_json()["meta"]["total"] == 3
    assert client.get("/api/team/list", headers={"Authorization": "Bearer sb-sim-token"}).status_code == 401
