"""Servers: add, list, remove (queued), validate-connection in callback mode, setup endpoints."""

from __future__ import annotations

import re

import pytest
import requests

from sim_helpers import add_backup, add_server

INSTALL_RE = re.compile(r'curl -sSL "(?P<url>[^"]+)" \| bash -s (?P<uuid>[0-9a-f-]{36})')


def ssh_server(api, **fields):
    body = {"name": "Amazon-VPS-16", "connection_type": "ssh", "host": "1.1.1.1", "port": "22", "user": "ubuntu",
            "password": "", "temp_directory": "/home/ubuntu", "project_id": "5"}
    body.update(fields)
    response = api.post("/server/add", body)
    assert response.status_code == 200, response.text
    return response.json()


def test_add_ssh_server_reference_shape(api):
    body = ssh_server(api)
    assert body["success"] is True and body["message"] == "Server was added successfully!"
    assert body["errors"] == []
    data = body["data"]
    assert list(data) == ["id", "name", "connection_type", "status", "public_key", "created_at", "install_command",
                          "project"]
    assert data["name"] == "Amazon-VPS-16" and data["connection_type"] == "ssh" and data["status"] == 1
    assert re.fullmatch(r"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/=]+ SB-WORKER-T001", data["public_key"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z", data["created_at"])
    match = INSTALL_RE.fullmatch(data["install_command"])
    assert match, data["install_command"]
    assert re.fullmatch(rf"{re.escape(api.base_url)}/setup/{data['id']}/connect\?token=[0-9a-f]+", match["url"])
    assert data["project"] == {"id": 5, "name": "project 03"}


def test_public_keys_are_unique_real_keys(api):
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    first, second = ssh_server(api)["data"], ssh_server(api)["data"]
    assert first["public_key"] != second["public_key"]
    load_ssh_public_key(first["public_key"].rsplit(" ", 1)[0].encode())


def test_install_command_uses_the_request_host(sim, api):
    other_host = api.base_url.replace("127.0.0.1", "localhost")
    response = requests.post(other_host + "/server/add",
                             json={"name": "a", "connection_type": "ssh", "host": "h", "port": 22, "user": "u"},
                             headers={"Authorization": f"Bearer {sim.token}"}, timeout=10)
    assert f'"{other_host}/setup/' in response.json()["data"]["install_command"]


def test_add_password_server(api):
    data = add_server(api, project_id=None)
    assert data["connection_type"] == "password"
    assert data["public_key"] is None and data["install_command"] is None and data["project"] is None


def test_server_list_shape_hides_secrets(api):
    added = ssh_server(api, password="also-a-password")["data"]
    add_server(api, name="pw", password="hunter2")
    data = api.get("/server/list").json()["data"]
    assert [list(s) for s in data] == [["id", "name", "host", "port", "user", "connection_type", "status",
                                        "public_key", "temp_directory", "created_at", "project"]] * 2
    assert data[0] == {"id": added["id"], "name": "Amazon-VPS-16", "host": "1.1.1.1", "port": 22, "user": "ubuntu",
                       "connection_type": "ssh", "status": 1, "public_key": added["public_key"],
                       "temp_directory": "/home/ubuntu", "created_at": added["created_at"],
                       "project": {"id": 5, "name": "project 03"}}
    text = str(data)
    assert "hunter2" not in text and "also-a-password" not in text and "install_command" not in text


def test_add_validation(api):
    response = api.post("/server/add", {})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": ["The name field is required."],
        "connection_type": ["The connection type field is required."],
        "host": ["The host field is required."],
        "port": ["The port field is required."],
        "user": ["The user field is required."],
    }
    assert response.json()["message"] == "The name field is required."


@pytest.mark.parametrize("changes,field,message", [
    ({"connection_type": "key"}, "connection_type", "The selected connection type is invalid."),
    ({"password": ""}, "password", "The password field is required when connection type is password."),
    ({"port": "ssh"}, "port", "The port field must be an integer."),
    ({"port": 70000}, "port", "The port field must be between 1 and 65535."),
    ({"project_id": 12345}, "project_id", "The selected project id is invalid."),
])
def test_add_field_errors(api, changes, field, message):
    body = {"name": "n", "connection_type": "password", "host": "h", "port": 22, "user": "u", "password": "p"}
    body.update(changes)
    response = api.post("/server/add", body)
    assert response.status_code == 422
    assert response.json()["errors"][field] == [message]


def test_removal_is_queued_then_done(api, control):
    control.config(removal_delay=30)
    server = add_server(api)
    backup = add_backup(api, server["id"])
    queued = {"success": True, "message": "Server removal queued! May take a couple of minutes.", "errors": [],
              "data": []}
    assert api.post(f"/server/{server['id']}/remove").json() == queued
    control.advance(20)
    assert [s["id"] for s in api.get("/server/list").json()["data"]] == [server["id"]]
    assert api.post(f"/server/{server['id']}/remove").json() == queued  # still queued: same answer
    control.advance(10)  # the second call did not restart the delay
    assert api.get("/server/list").json() == {"data": []}
    response = api.post(f"/server/{server['id']}/remove")
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Server not found.", "errors": [], "data": []}
    assert api.get(f"/server/{server['id']}/validate-connection").status_code == 404
    # Its backups went with it.
    assert api.get("/backup/list").json() == {"data": []}
    assert api.get(f"/backup/{backup['id']}/run").status_code == 404


def test_removal_clears_tunnels_of_other_backups(api, control):
    server, tunnel = add_server(api), add_server(api, name="bastion")
    backup = add_backup(api, server["id"], tunnel_server_id=tunnel["id"])
    assert backup["tunnel_server_id"] == tunnel["id"]
    api.post(f"/server/{tunnel['id']}/remove")
    control.advance(5)  # the default REMOVAL_DELAY
    assert api.get("/backup/list").json()["data"][0]["tunnel_server_id"] is None


def test_setup_script_in_ssh_mode(api, anon):
    data = ssh_server(api)["data"]
    url = INSTALL_RE.fullmatch(data["install_command"])["url"]
    response = requests.get(url, timeout=10)  # no bearer token: curl on the host fetches it
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/x-shellscript")
    script = response.text
    assert script.startswith("#!/usr/bin/env bash")
    assert data["public_key"] in script
    assert "authorized_keys" in script and "chmod 700" in script and "chmod 600" in script
    assert f"/setup/{data['id']}/callback?token=" in script


def test_setup_script_in_callback_mode_leaves_ssh_alone(api, control):
    control.config(validation_mode="callback")
    data = ssh_server(api)["data"]
    script = requests.get(INSTALL_RE.fullmatch(data["install_command"])["url"], timeout=10).text
    assert ".ssh" not in script and "authorized_keys" not in script
    assert f"/setup/{data['id']}/callback?token=" in script


def test_setup_endpoints_reject_wrong_tokens(api):
    data = ssh_server(api)["data"]
    base = f"{api.base_url}/setup/{data['id']}"
    for url in (f"{base}/connect?token=nope", f"{base}/connect", f"{base}/callback?token=nope&uuid=x",
                f"{api.base_url}/setup/999/connect?token=x"):
        response = requests.get(url, timeout=10)
        assert response.status_code == 404
        assert response.json()["message"] == "Server not found."


def test_validate_connection_in_callback_mode(api, control):
    control.config(validation_mode="callback")
    data = ssh_server(api)["data"]
    response = api.get(f"/server/{data['id']}/validate-connection")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["data"]["status"] is False and "install command" in body["data"]["message"]
    match = INSTALL_RE.fullmatch(data["install_command"])
    token = match["url"].split("token=")[1]
    callback = f"{api.base_url}/setup/{data['id']}/callback?token={token}"
    assert requests.get(callback + "&uuid=wrong", timeout=10).status_code == 404
    assert requests.get(f"{callback}&uuid={match['uuid']}", timeout=10).status_code == 200
    assert api.get(f"/server/{data['id']}/validate-connection").json() == {
        "success": True, "data": {"status": True, "message": ""}}
    server_state = next(s for s in control.state()["servers"] if s["id"] == data["id"])
    assert server_state["validated"] is True and server_state["validated_at"]


def test_password_server_is_valid_in_callback_mode(api, control):
    control.config(validation_mode="callback")
    server = add_server(api)
    assert api.get(f"/server/{server['id']}/validate-connection").json()["data"]["status"] is True


def test_validate_unknown_server_is_404(api):
    response = api.get("/server/31337/validate-connection")
    assert response.status_code == 404
    assert response.json()["message"] == "Server not found."
