"""Teams (list, current, switch and the scoping it implies) and storage/list."""

from __future__ import annotations

from sim_helpers import Api, add_backup, add_server

REFERENCE_TEAMS = [
    {"id": 1, "owner_id": 4, "name": "ACME Inc", "timezone": "UTC", "created_at": "2025-01-01T23:19:32.000000Z"},
    {"id": 2, "owner_id": 4, "name": "Jim Doe's Team", "timezone": "UTC",
     "created_at": "2025-02-01T23:19:32.000000Z"},
    {"id": 3, "owner_id": 4, "name": "Smart Agency Inc", "timezone": "UTC",
     "created_at": "2025-03-01T23:19:32.000000Z"},
]


def test_team_list_matches_the_reference(api):
    response = api.get("/team/list")
    assert response.status_code == 200
    assert response.json() == {"data": REFERENCE_TEAMS}


def test_team_current(api):
    assert api.get("/team/current").json() == {"data": REFERENCE_TEAMS[0]}


def test_switch_is_204_and_scopes_every_client_of_the_account(sim, api):
    response = api.patch("/team/3/switch")
    assert response.status_code == 204
    assert response.content == b""
    other_client = Api(sim.base_url, sim.token)  # same account, another session
    assert other_client.get("/team/current").json()["data"]["id"] == 3
    names = [s["name"] for s in other_client.get("/storage/list").json()["data"]]
    assert names == ["SimpleStorage", "Wasabi Agency"]


def test_switch_to_a_foreign_or_unknown_team_is_404(api):
    for team in ("4", "99", "abc"):
        response = api.patch(f"/team/{team}/switch")
        assert response.status_code == 404
        assert response.json() == {"success": False, "message": "Team not found.", "errors": [], "data": []}
    assert api.get("/team/current").json()["data"]["id"] == 1


def test_second_account_is_isolated(api, api2):
    assert api2.get("/team/list").json()["data"] == [
        {"id": 4, "owner_id": 8, "name": "Other Corp", "timezone": "UTC", "created_at": "2025-04-01T23:19:32.000000Z"}
    ]
    server = add_server(api)
    assert api2.get("/server/list").json() == {"data": []}
    assert api2.get(f"/server/{server['id']}/validate-connection").status_code == 404
    assert api2.patch("/team/1/switch").status_code == 404


def test_objects_of_another_team_are_404_after_switch(api):
    server = add_server(api)
    backup = add_backup(api, server["id"])
    assert api.patch("/team/2/switch").status_code == 204
    assert api.get("/backup/list").json() == {"data": []}
    assert api.get("/server/list").json() == {"data": []}
    for method, path in [("GET", f"/backup/{backup['id']}/run"), ("PATCH", f"/backup/{backup['id']}/pause"),
                         ("POST", f"/backup/{backup['id']}/delete")]:
        response = api.request(method, path)
        assert response.status_code == 404
        assert response.json()["message"] == "Backup not found."
    response = api.post(f"/server/{server['id']}/remove")
    assert response.json() == {"success": False, "message": "Server not found.", "errors": [], "data": []}
    # Team 1's storage and server are unknown ids in team 2.
    created = api.post("/backup/create", {"name": "x", "type": "file", "file_path": "/", "server_id": server["id"],
                                          "storage_id": 3, "schedule": "daily", "retention": 1})
    assert created.status_code == 422
    assert created.json()["errors"]["server_id"] == ["The selected server id is invalid."]
    assert created.json()["errors"]["storage_id"] == ["The selected storage id is invalid."]
    api.patch("/team/1/switch")
    assert [b["id"] for b in api.get("/backup/list").json()["data"]] == [backup["id"]]


def test_storage_list_reference_shape(api):
    data = api.get("/storage/list").json()["data"]
    assert data[:2] == [
        {"id": 1, "name": "Backblaze Limited Scope", "type": "backblaze", "status": 1,
         "created_at": "2025-01-01T00:06:43.000000Z"},
        {"id": 2, "name": "SimpleStorage", "type": "simple", "status": 1, "created_at": "2025-01-01T00:06:43.000000Z"},
    ]
    assert [s["name"] for s in data] == [
        "Backblaze Limited Scope", "SimpleStorage", "AWS S3", "Old S3", "Prod S3", "Prod S3 Archive",
    ]


def test_storage_name_filter_is_a_case_insensitive_like(api):
    def names(**params):
        return [s["name"] for s in api.get("/storage/list", params=params).json()["data"]]

    assert names(**{"filters[name]": "prod s3"}) == ["Prod S3", "Prod S3 Archive"]
    assert names(**{"filters[name]": "Prod S3 Archive"}) == ["Prod S3 Archive"]
    assert names(**{"filters[name]": "Prod_S3%ve"}) == ["Prod S3 Archive"]  # wildcards are not escaped
    assert names(**{"filters[name]": "nothing"}) == []
    assert names(**{"filters[name]": ""}) == names()


def test_storage_status_filter(api):
    params = {"filters[status]": "0"}
    assert [s["name"] for s in api.get("/storage/list", params=params).json()["data"]] == ["Old S3"]
    params = {"filters[status]": "1", "filters[name]": "s3"}
    assert [s["name"] for s in api.get("/storage/list", params=params).json()["data"]] == [
        "AWS S3", "Prod S3", "Prod S3 Archive"]


def test_storage_same_name_in_several_teams_is_scoped(api):
    ids = {}
    for team in (1, 2, 3):
        api.patch(f"/team/{team}/switch")
        data = api.get("/storage/list", params={"filters[name]": "SimpleStorage"}).json()["data"]
        assert len(data) == 1
        ids[team] = data[0]["id"]
    assert len(set(ids.values())) == 3
