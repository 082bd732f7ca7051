# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SimpleBackupsResource, driven through a small backup module defined here.

The toy module is configured the way a real resource module is: fields with a secret
(``db_password`` sent as ``db_psw``), an immutable field read from a dotted path
(``server_id`` <- ``server.id``), a normalizer (``retention`` "7" == 7) and update_secrets
behind ``update_password``.
"""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.simplebackups.simplebackups.plugins.module_utils.api import simplebackups_argument_spec
from ansible_collections.simplebackups.simplebackups.plugins.module_utils.resource import (
    Field,
    SimpleBackupsResource,
    as_bool,
    as_int,
)
from ansible_collections.simplebackups.simplebackups.tests.unit.helpers import (
    TOKEN,
    TRIGGER_SECRET,
    backup_object,
)

DB_PASSWORD = "db-pass-Xk29LqW"

FIELDS = [
    Field("name"),
    Field("schedule"),
    Field("retention", normalize=as_int),
    Field("server_id", api="server.id", immutable=True, normalize=as_int),
    Field("project_id", api="project.id", normalize=as_int),
    Field("incremental", api="flags.backup_is_incremental", normalize=as_bool),
    Field("db_password", request="db_psw", secret=True),
    Field("db_connection_string", secret=True, resend=True),
]


def toy_backup_main():
    argument_spec = simplebackups_argument_spec()
    argument_spec.update(
        name=dict(type="str"),
        id=dict(type="int"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        schedule=dict(type="str"),
        retention=dict(type="int"),
        server_id=dict(type="int"),
        project_id=dict(type="int"),
        incremental=dict(type="bool"),
        # Deliberately not no_log: AnsibleModule would mask the value in the output and hide
        # whether the base class itself leaks the secret.
        db_password=dict(type="str", no_log=False),
        db_connection_string=dict(type="str", no_log=False),
        update_password=dict(type="str", default="on_create", choices=["always", "on_create"], no_log=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, required_one_of=[("name", "id")],
                           supports_check_mode=True)
    backup = SimpleBackupsResource(
        module, "backup", "backup", "/backup/list", "/backup/create",
        update_path="/backup/{id}/update", delete_path="/backup/{id}/delete",
        fields=FIELDS, id_filter="id", name_filter="name",
        update_secrets=module.params["update_password"] == "always",
    )
    if module.params["state"] == "present":
        backup.present()
    else:
        backup.absent()


EXISTING = dict(name="nightly-files", schedule="daily", retention=7, server_id=108, project_id=5)
BY_NAME = {"filters[name]": "nightly-files"}


def args(**params):
    values = dict(api_token=TOKEN)
    values.update(params)
    return values


def new_backup_args(**params):
    values = args(name="nightly-files", schedule="daily", retention=7, server_id=108, project_id=5,
                  db_password=DB_PASSWORD)
    values.update(params)
    return values


CREATE_BODY = dict(name="nightly-files", schedule="daily", retention=7, server_id=108, project_id=5,
                   db_psw=DB_PASSWORD)


def update_body(**changes):
    """The whole definition an update must send: what the backup has, overlaid with changes."""
    body = dict(name="nightly-files", schedule="daily", retention=7, project_id=5)
    body.update(changes)
    return body


def assert_no_secret(result):
    # "invocation" echoes the arguments (the secret is deliberately not no_log here).
    dumped = json.dumps(dict((k, v) for k, v in result.items() if k != "invocation"))
    assert DB_PASSWORD not in dumped
    diff = result.get("diff") or {}
    for side in ("before", "after"):
        assert "db_password" not in (diff.get(side) or {})


# -- create ----------------------------------------------------------------------------------

def test_create_posts_once_and_uses_the_answer(api, run_module):
    created = backup_object()
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": []})
    api.expect("POST", "/backup/create", sends=CREATE_BODY,
               answer={"success": True, "message": "Backup was created successfully!", "errors": [], "data": created})
    result = run_module(toy_backup_main, new_backup_args(), diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"] == created
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"] == dict(EXISTING)
    assert_no_secret(result)


def test_create_answer_without_object_is_read_back(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": []})
    api.expect("POST", "/backup/create", sends=CREATE_BODY, answer={"success": True, "data": []})
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    result = run_module(toy_backup_main, new_backup_args())
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["id"] == 189


def test_partial_name_matches_are_ignored(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [
        backup_object(id=1, name="nightly-files-old"), backup_object(id=2, name="nightly-files 2")]})
    api.expect("POST", "/backup/create", sends=CREATE_BODY, answer={"success": True, "data": backup_object()})
    result = run_module(toy_backup_main, new_backup_args())
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["id"] == 189


def test_check_mode_create_sends_nothing_and_predicts(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": []})
    result = run_module(toy_backup_main, new_backup_args(), check_mode=True, diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"] == {"id": None, "name": "nightly-files", "schedule": "daily", "retention": 7,
                                "server": {"id": 108}, "project": {"id": 5}}
    assert result["diff"] == {"before": {}, "after": dict(EXISTING)}
    assert_no_secret(result)


def test_create_500_after_commit_is_recovered_without_a_second_post(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": []})
    api.expect("POST", "/backup/create", sends=CREATE_BODY, status=500, answer={"message": "Server Error"})
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    result = run_module(toy_backup_main, new_backup_args())
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["id"] == 189
    assert result["recovered_from"]["status"] == 500
    assert result["recovered_from"]["maybe_committed"] is True


def test_create_500_without_commit_fails_as_maybe_committed(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": []})
    api.expect("POST", "/backup/create", sends=CREATE_BODY, status=500, answer={"message": "Server Error"})
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": []})
    result = run_module(toy_backup_main, new_backup_args())
    assert result.failed
    assert "POST /backup/create failed with HTTP 500: Server Error" in result["msg"]
    assert result["failure"]["maybe_committed"] is True
    assert result["failure"]["status"] == 500
    # Read back: nothing was created, so nothing changed.
    assert result["changed"] is False


def test_create_422_fails_with_field_errors_without_rereading(api, run_module):
    errors = {"schedule": ["The selected schedule is invalid."]}
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": []})
    api.expect("POST", "/backup/create", sends=dict(CREATE_BODY, schedule="yearly"), status=422,
               answer={"success": False, "message": "The selected schedule is invalid.", "errors": errors})
    result = run_module(toy_backup_main, new_backup_args(schedule="yearly"))
    assert result.failed
    assert "The selected schedule is invalid." in result["msg"]
    assert result["failure"]["errors"] == errors
    assert result["failure"]["maybe_committed"] is False
    # Refused: nothing was written.
    assert result["changed"] is False


def test_update_refused_reports_no_change(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    api.expect("PATCH", "/backup/189/update", sends=update_body(retention=0), status=422, answer={
        "success": False, "message": "The retention must be at least 1.",
        "errors": {"retention": ["The retention must be at least 1."]}})
    result = run_module(toy_backup_main, args(name="nightly-files", retention=0))
    assert result.failed
    assert result["changed"] is False
    assert "The retention must be at least 1." in result["msg"]


def test_update_500_may_have_committed_and_says_so(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    api.expect("PATCH", "/backup/189/update", sends=update_body(retention=14), status=500,
               answer={"message": "Server Error"})
    result = run_module(toy_backup_main, args(name="nightly-files", retention=14))
    assert result.failed
    assert result["changed"] is True
    assert result["failure"]["maybe_committed"] is True


# -- idempotence and update ------------------------------------------------------------------

def test_rerun_without_changes_makes_one_read(api, run_module):
    # The API's numbers as strings must compare equal to the options (normalizer).
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [
        backup_object(retention="7", server={"id": "108", "name": "srv"})]})
    result = run_module(toy_backup_main, new_backup_args(), diff=True)
    assert not result.failed, result
    assert result["changed"] is False
    assert result["backup"]["id"] == 189
    assert_no_secret(result)


def test_update_patches_the_whole_merged_definition(api, run_module):
    updated = backup_object(retention=14)
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    api.expect("PATCH", "/backup/189/update", sends=update_body(retention=14),
               answer={"success": True, "message": "Backup was updated successfully!", "data": updated})
    result = run_module(toy_backup_main, args(name="nightly-files", retention=14, db_password=DB_PASSWORD), diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"] == updated
    assert result["diff"]["before"] == dict(EXISTING)
    assert result["diff"]["after"] == dict(EXISTING, retention=14)
    assert_no_secret(result)


def test_update_of_a_nested_field(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    api.expect("PATCH", "/backup/189/update", sends=update_body(project_id=6),
               answer={"success": True, "data": backup_object(project={"id": 6, "name": "p6"})})
    result = run_module(toy_backup_main, args(name="nightly-files", project_id=6), diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["diff"]["after"]["project_id"] == 6


def test_update_sets_a_nested_field_that_is_null(api, run_module):
    # A backup without a project has "project": null; asking for project 5 is a change.
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object(project=None)]})
    api.expect("PATCH", "/backup/189/update", sends=dict(update_body(project_id=5)),
               answer={"success": True, "data": backup_object()})
    result = run_module(toy_backup_main, args(name="nightly-files", project_id=5), diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["project"]["id"] == 5


def test_check_mode_update_predicts_a_nested_field_that_is_null(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object(project=None)]})
    result = run_module(toy_backup_main, args(name="nightly-files", project_id=5), check_mode=True, diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["project"] == {"id": 5}


def test_field_missing_from_the_answer_is_not_compared(api, run_module):
    # "flags" absent: incremental can't be compared, and nothing else differs.
    obj = backup_object()
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [obj]})
    result = run_module(toy_backup_main, args(name="nightly-files", incremental=True))
    assert not result.failed, result
    assert result["changed"] is False


def test_secret_is_not_sent_on_update_by_default(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    result = run_module(toy_backup_main, new_backup_args(db_password="another-pass-2"))
    assert not result.failed, result
    assert result["changed"] is False


def test_secret_is_sent_on_update_with_update_secrets(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    api.expect("PATCH", "/backup/189/update", sends=update_body(db_psw=DB_PASSWORD),
               answer={"success": True, "data": backup_object()})
    result = run_module(toy_backup_main, new_backup_args(update_password="always"), diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert_no_secret(result)


CONNECTION_STRING = "mysql://u:pw-77Hq@db/app"


def test_resend_secret_rides_along_with_an_update(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    api.expect("PATCH", "/backup/189/update", sends=update_body(retention=9, db_connection_string=CONNECTION_STRING),
               answer={"success": True, "data": backup_object(retention=9)})
    result = run_module(toy_backup_main, args(name="nightly-files", retention=9, db_connection_string=CONNECTION_STRING),
                        diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert CONNECTION_STRING not in json.dumps(result["diff"])


def test_resend_secret_alone_is_no_change(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    result = run_module(toy_backup_main, args(name="nightly-files", db_connection_string=CONNECTION_STRING))
    assert not result.failed, result
    assert result["changed"] is False


def test_immutable_difference_fails_before_any_write(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    result = run_module(toy_backup_main, new_backup_args(server_id=200, retention=14))
    assert result.failed
    assert "server_id cannot be changed" in result["msg"]
    assert "108 -> 200" in result["msg"]


def test_check_mode_update_sends_nothing_and_predicts(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    result = run_module(toy_backup_main, args(name="nightly-files", retention=14, schedule="weekly"),
                        check_mode=True, diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"] == backup_object(retention=14, schedule="weekly")
    assert result["diff"] == {"before": dict(EXISTING), "after": dict(EXISTING, retention=14, schedule="weekly")}


# -- identity ---------------------------------------------------------------------------------

def test_lookup_by_id(api, run_module):
    api.expect("GET", "/backup/list", params={"filters[id]": "189"}, answer={"data": [backup_object()]})
    api.expect("PATCH", "/backup/189/update", sends=update_body(retention=3),
               answer={"success": True, "data": backup_object(retention=3)})
    result = run_module(toy_backup_main, args(id=189, retention=3))
    assert not result.failed, result
    assert result["changed"] is True
    assert result["backup"]["retention"] == 3


def test_unknown_id_fails_without_creating(api, run_module):
    api.expect("GET", "/backup/list", params={"filters[id]": "404"}, answer={"data": [backup_object(id=4041)]})
    result = run_module(toy_backup_main, args(id=404, name="nightly-files", retention=3))
    assert result.failed
    assert "no backup with id 404" in result["msg"]


def test_duplicate_names_fail_listing_both_ids(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object(id=189), backup_object(id=190)]})
    result = run_module(toy_backup_main, new_backup_args())
    assert result.failed
    assert "189" in result["msg"] and "190" in result["msg"]
    assert "2 backups are named 'nightly-files'" in result["msg"]


# -- absent ------------------------------------------------------------------------------------

def test_absent_deletes(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    api.expect("POST", "/backup/189/delete", sends={},
               answer={"success": True, "message": "Backup was successfully deleted!", "errors": [], "data": []})
    result = run_module(toy_backup_main, args(name="nightly-files", state="absent"), diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["diff"] == {"before": dict(EXISTING), "after": {}}


def test_absent_again_is_one_read(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object(name="nightly-files-2")]})
    result = run_module(toy_backup_main, args(name="nightly-files", state="absent"))
    assert not result.failed, result
    assert result["changed"] is False
    assert result["backup"] == {}


def test_check_mode_delete_sends_nothing(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    result = run_module(toy_backup_main, args(name="nightly-files", state="absent"), check_mode=True, diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["diff"] == {"before": dict(EXISTING), "after": {}}


def test_delete_answered_404_is_the_wanted_state(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    api.expect("POST", "/backup/189/delete", sends={}, status=404,
               answer={"success": False, "message": "Backup not found.", "errors": [], "data": []})
    result = run_module(toy_backup_main, args(name="nightly-files", state="absent"), diff=True)
    assert not result.failed, result
    # Somebody else deleted it first: this run changed nothing.
    assert result["changed"] is False
    assert "diff" not in result


def test_delete_answered_500_fails(api, run_module):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    api.expect("POST", "/backup/189/delete", sends={}, status=500, answer={"message": "Server Error"})
    result = run_module(toy_backup_main, args(name="nightly-files", state="absent"))
    assert result.failed
    assert result["failure"]["maybe_committed"] is True


# -- secrets ----------------------------------------------------------------------------------

@pytest.mark.parametrize("check_mode", [False, True], ids=["apply", "check"])
def test_diff_never_contains_secrets(api, run_module, check_mode):
    api.expect("GET", "/backup/list", params=BY_NAME, answer={"data": [backup_object()]})
    if not check_mode:
        api.expect("PATCH", "/backup/189/update", sends=update_body(retention=9, db_psw=DB_PASSWORD),
                   answer={"success": True, "data": backup_object(retention=9)})
    result = run_module(toy_backup_main, new_backup_args(retention=9, update_password="always"),
                        check_mode=check_mode, diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert_no_secret(result)
    assert TRIGGER_SECRET in json.dumps(result["backup"])  # masking is the module's hook, not the base's


# -- normalizers ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [("22", 22), (22, 22), (None, None), (True, True), ("x", "x")])
def test_as_int(value, expected):
    assert as_int(value) == expected


@pytest.mark.parametrize("value, expected", [
    (True, True), (1, True), ("1", True), ("true", True), (0, False), ("0", False), ("false", False),
    ("", False), (None, None), ("maybe", "maybe")])
def test_as_bool(value, expected):
    assert as_bool(value) == expected
