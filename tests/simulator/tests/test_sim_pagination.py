"""Laravel-style pagination when PAGE_SIZE (config page_size) is set."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from sim_helpers import add_backup, add_server


def test_no_pagination_by_default(api):
    assert set(api.get("/storage/list").json()) == {"data"}


def test_pages_and_links(api, control):
    control.config(page_size=4)
    first = api.get("/storage/list").json()
    assert [s["id"] for s in first["data"]] == [1, 2, 3, 4]
    path = api.base_url + "/storage/list"
    assert first["meta"] == {"current_page": 1, "from": 1, "last_page": 2, "path": path, "per_page": 4, "to": 4,
                             "total": 6}
    assert first["links"] == {"first": path + "?page=1", "last": path + "?page=2", "prev": None,
                              "next": path + "?page=2"}
    second = api.session.get(first["links"]["next"], headers={"Authorization": f"Bearer {api.token}"}).json()
    assert [s["id"] for s in second["data"]] == [5, 6]
    assert second["links"]["next"] is None and second["links"]["prev"] == path + "?page=1"
    assert (second["meta"]["from"], second["meta"]["to"], second["meta"]["current_page"]) == (5, 6, 2)


def test_next_link_keeps_the_filters(api, control):
    control.config(page_size=1)
    body = api.get("/storage/list", params={"filters[name]": "prod", "filters[status]": "1"}).json()
    query = parse_qs(urlparse(body["links"]["next"]).query)
    assert query == {"filters[name]": ["prod"], "filters[status]": ["1"], "page": ["2"]}
    assert body["meta"]["total"] == 2


def test_out_of_range_and_bad_page_numbers(api, control):
    control.config(page_size=4)
    beyond = api.get("/storage/list", params={"page": 9}).json()
    assert beyond["data"] == [] and beyond["meta"]["from"] is None and beyond["links"]["next"] is None
    assert api.get("/storage/list", params={"page": "x"}).json()["meta"]["current_page"] == 1
    assert api.get("/storage/list", params={"page": "-3"}).json()["meta"]["current_page"] == 1


@pytest.mark.parametrize("path,params", [
    ("/backup/list", None), ("/server/list", None), ("/team/list", None),
    ("/stats/activity", {"type": "backup"}), ("/stats/resource", {"type": "backup"}),
    ("/stats/schedule", {"type": "backup"}),
])
def test_every_list_paginates(api, control, path, params):
    for name in ("a", "b", "c"):
        server = add_server(api, name=name)
        backup = add_backup(api, server["id"], name=name)
        api.get(f"/backup/{backup['id']}/run")
    control.config(page_size=2)
    seen, url = [], None
    body = api.get(path, params=params).json()
    while True:
        seen += body["data"]
        url = body["links"]["next"]
        if url is None:
            break
        body = api.session.get(url, headers={"Authorization": f"Bearer {api.token}"}).json()
    assert len(seen) == body["meta"]["total"] == 3
    assert len({item["id"] for item in seen}) == 3


def test_empty_list_paginated(api, control):
    control.config(page_size=5)
    body = api.get("/backup/list").json()
    assert body["data"] == [] and body["meta"]["last_page"] == 1 and body["meta"]["total"] == 0


def test_page_size_zero_or_null_turns_it_off(api, control):
    control.config(page_size=3)
    assert control.config(page_size=None)["page_size"] is None
    assert set(api.get("/storage/list").json()) == {"data"}
    control.config(page_size=3)
    assert control.config(page_size=0)["page_size"] is None
