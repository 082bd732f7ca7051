# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Real ``ansible-playbook`` runs of the integration targets, the module EXAMPLES and the demo,
against the bundled API simulator, with assertions on the HTTP conversation it recorded.

Run from the repository root, in a venv with ansible-core: ``python -m pytest tests/integration``.
"""

from __future__ import annotations

import ast
import datetime
import ipaddress
import secrets

import pytest
import yaml

from sb_integration import REPO, TARGETS, Sim, role_play, start_simulator, target_vars

MODULES = sorted((REPO / "plugins" / "modules").glob("*.py"))
DEMO = REPO / "tests" / "demo" / "demo.yml"
GROUP = "group/simplebackups.simplebackups.simplebackups"

# The exact HTTP conversation of each target against a fresh simulator, task by task. A
# target whose conversation is not listed here still runs; its requests are checked for
# authentication and server errors only.
TEAM_INFO = ["GET /team/list", "GET /team/current"]
CONVERSATIONS = {
    "simplebackups_team": (
        TEAM_INFO                                    # the teams before the tests
        # name and id together, neither of them: refused before any request
        + ["GET /team/current", "GET /team/list"]    # unknown name
        + ["GET /team/current", "GET /team/list"]    # unknown id
        + TEAM_INFO                                  # nothing switched
        + ["GET /team/current", "GET /team/list"]    # check mode: no PATCH
        + TEAM_INFO                                  # still the original team
        + ["GET /team/current", "GET /team/list", "PATCH /team/3/switch", "GET /team/current"]
        + TEAM_INFO
        + ["GET /team/current"]                      # again, by id: one read, nothing else
        + ["GET /team/current"]                      # again, by name in check mode
        + ["GET /team/current", "GET /team/list", "PATCH /team/1/switch", "GET /team/current"]  # always:
        + TEAM_INFO
    ),
    "simplebackups_team_info": (
        TEAM_INFO                                    # module_defaults
        + TEAM_INFO                                  # check mode
        + TEAM_INFO                                  # options on the task
        + ["GET /team/list"]                         # wrong token: 401, no retry
    ),
    "simplebackups_storage_info": ["GET /storage/list"] * 8,  # all, 4 by name, 2 by status, check mode
}
# Modules whose EXAMPLES run against the simulator's seed, with the tasks (pre_tasks of the play)
# that first create what the examples expect to exist. A module missing here is skipped, visibly.
EXAMPLE_SETUP = {
    "simplebackups_storage_info": [],
    "simplebackups_team": [],
    "simplebackups_team_info": [],
}


def target_names():
    return sorted(p.name for p in TARGETS.iterdir() if (p / "tasks" / "main.yml").is_file())


def assert_authenticated(sim, entries):
    """Every request carried the simulator's token (the log keeps its first 4 characters)."""
    hint = sim.token[:4] + "\u2026"
    unauthenticated = [e for e in entries if e.get("token") is None]
    assert not unauthenticated, "requests without Authorization: %s" % unauthenticated
    assert all(e.get("token") == hint or e["status"] == 401 for e in entries), entries


def assert_no_server_errors(entries):
    assert not [e for e in entries if e["status"] is None or e["status"] >= 500], entries


# -- the targets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("target", target_names())
def test_target(target, sim, ansible):
    result = ansible.run(role_play(target), target_vars(sim))
    result.assert_ok()
    entries = sim.requests()
    assert_no_server_errors(entries)
    # The only 401s are the target's own wrong-token checks.
    assert_authenticated(sim, [e for e in entries if e["status"] != 401])
    if target in CONVERSATIONS:
        assert sim.conversation() == CONVERSATIONS[target], str(result)
    check = TARGET_CHECKS.get(target)
    if check:
        check(entries)
    # Every target leaves the account in the team it started in.
    assert sim.current_team_id() == 1


def check_team_target(entries):
    """Two writes: the switch and the switch back; check mode and failed lookups wrote nothing."""
    writes = [(e["method"], e["path"], e["status"]) for e in entries if e["method"] != "GET"]
    assert writes == [("PATCH", "/team/3/switch", 204), ("PATCH", "/team/1/switch", 204)]


def check_storage_info_target(entries):
    """The filters go to the API as filters[...] (which matches partially; the module narrows)."""
    queries = [e["query"] for e in entries]
    assert {} in queries
    assert {"filters[name]": "Prod S3"} in queries
    assert {"filters[name]": "Prod S"} in queries
    assert {"filters[status]": "0"} in queries
    assert {"filters[status]": "1"} in queries
    assert {"filters[name]": "Prod S3", "filters[status]": "1"} in queries


def check_team_info_target(entries):
    assert [e["status"] for e in entries] == [200] * 6 + [401]


TARGET_CHECKS = {
    "simplebackups_team": check_team_target,
    "simplebackups_team_info": check_team_info_target,
    "simplebackups_storage_info": check_storage_info_target,
}


def test_paginated_lists_are_complete(sim, ansible):
    """With two items a page the targets still see every team and every storage."""
    sim.reset(page_size=2)
    targets = ["simplebackups_team_info", "simplebackups_storage_info"]
    ansible.run(role_play(*targets), target_vars(sim)).assert_ok()
    entries = sim.requests()
    pages = [(e["path"], str(e["query"].get("page", "1"))) for e in entries if e["method"] == "GET"]
    assert ("/team/list", "2") in pages
    assert ("/storage/list", "3") in pages
    assert ("/storage/list", "4") not in pages
    assert_no_server_errors(entries)


# -- single tasks, exact conversations ---------------------------------------------------------


def one_task_play(task, **play):
    play.setdefault("name", "One task")
    return [dict(play, hosts="localhost", gather_facts=False, tasks=[task])]


def team_task(sim, **options):
    options.update(api_token="{{ simplebackups_api_token }}", api_url="{{ simplebackups_api_url }}")
    return {"name": "Switch the team", "simplebackups.simplebackups.simplebackups_team": options, "register": "result"}


def test_check_mode_switch_sends_no_write(sim, ansible):
    result = ansible.run(one_task_play(team_task(sim, name="Smart Agency Inc")), target_vars(sim), check=True)
    result.assert_ok(changed=1)
    assert sim.conversation() == ["GET /team/current", "GET /team/list"]
    assert sim.current_team_id() == 1


def test_switch_to_the_current_team_is_one_read(sim, ansible):
    sim.api("PATCH", "/team/3/switch")
    sim.clear_requests()
    result = ansible.run(one_task_play(team_task(sim, name="Smart Agency Inc")), target_vars(sim))
    result.assert_ok(changed=0)
    assert sim.conversation() == ["GET /team/current"]


def test_switch_writes_once_and_reads_back(sim, ansible):
    result = ansible.run(one_task_play(team_task(sim, id=2)), target_vars(sim), args=["--diff"])
    result.assert_ok(changed=1)
    assert sim.conversation() == ["GET /team/current", "GET /team/list", "PATCH /team/2/switch", "GET /team/current"]
    assert sim.current_team_id() == 2
    assert "Jim Doe's Team" in result.stdout  # the diff names both teams
    assert "ACME Inc" in result.stdout


def test_switch_answered_with_a_server_error_after_commit(sim, ansible):
    """The switch was made but the answer was a 500: the module reads the team back and reports it."""
    sim.control("POST", "faults", {"kind": "commit_then_status", "status": 500, "method": "PATCH",
                                   "path": "/team/3/switch"})
    result = ansible.run(one_task_play(team_task(sim, name="Smart Agency Inc")), target_vars(sim))
    assert sim.current_team_id() == 3
    assert sim.conversation() == ["GET /team/current", "GET /team/list", "PATCH /team/3/switch", "GET /team/current"]
    result.assert_ok(changed=1)


# -- configuration ------------------------------------------------------------------------------


def test_configuration_from_environment(sim, ansible):
    """SIMPLEBACKUPS_API_TOKEN and SIMPLEBACKUPS_API_URL alone configure every module."""
    play = [dict(name="No connection options", hosts="localhost", gather_facts=False, tasks=[
        {"name": "Read the teams", "simplebackups.simplebackups.simplebackups_team_info": None, "register": "teams"},
        {"name": "Read the storages", "simplebackups.simplebackups.simplebackups_storage_info": {"name": "AWS S3"},
         "register": "storages"},
        {"name": "Switch", "simplebackups.simplebackups.simplebackups_team": {"name": "ACME Inc"}},
        {"name": "Check", "ansible.builtin.assert": {"that": [
            "teams.current_team.name == 'ACME Inc'", "storages.storages | length == 1"]}},
    ])]
    result = ansible.run(play, env={"SIMPLEBACKUPS_API_TOKEN": sim.token, "SIMPLEBACKUPS_API_URL": sim.base_url})
    result.assert_ok(changed=0)
    assert sim.conversation() == TEAM_INFO + ["GET /storage/list", "GET /team/current"]
    assert_authenticated(sim, sim.requests())


def test_module_defaults_group(sim, ansible):
    """module_defaults for the action group beats the environment; a task option beats both."""
    wrong = "sb-wrong-%s" % secrets.token_hex(8)
    play = [dict(
        name="module_defaults", hosts="localhost", gather_facts=False,
        module_defaults={GROUP: {"api_token": "{{ simplebackups_api_token }}",
                                 "api_url": "{{ simplebackups_api_url }}"}},
        tasks=[
            {"name": "Read the teams", "simplebackups.simplebackups.simplebackups_team_info": None},
            {"name": "Read the storages", "simplebackups.simplebackups.simplebackups_storage_info": None},
            {"name": "Switch", "simplebackups.simplebackups.simplebackups_team": {"id": 1}},
            {"name": "Read the teams with a token of the task",
             "simplebackups.simplebackups.simplebackups_team_info": {"api_token": wrong},
             "register": "result", "failed_when": "result is not failed"},
            {"name": "Check", "ansible.builtin.assert": {"that": ["result.failure.status == 401"]}},
        ])]
    result = ansible.run(play, target_vars(sim),
                         env={"SIMPLEBACKUPS_API_TOKEN": wrong, "SIMPLEBACKUPS_API_URL": "http://127.0.0.1:9/api"})
    result.assert_ok(changed=0)
    entries = sim.requests()
    assert sim.conversation() == TEAM_INFO + ["GET /storage/list", "GET /team/current", "GET /team/list"]
    assert_authenticated(sim, entries[:-1])
    assert entries[-1]["status"] == 401 and entries[-1]["token"] == wrong[:4] + "\u2026"


@pytest.mark.parametrize("verbosity", [None, "-vvv"])
def test_wrong_token_fails_without_showing_it(sim, ansible, verbosity):
    """A wrong token, as an option or from the environment: the task fails, the token is nowhere.

    (The environment is the one of ansible-playbook, as `make demo` sets it: a task's
    ``environment:`` keyword is printed by ansible-core itself at -vvv.)
    """
    wrong_option = "sb-wrong-%s" % secrets.token_hex(12)
    wrong_env = "sb-wrong-%s" % secrets.token_hex(12)
    play = [dict(name="Wrong token", hosts="localhost", gather_facts=False, tasks=[
        {"name": "Read the storages with a wrong token option",
         "simplebackups.simplebackups.simplebackups_storage_info": {"api_token": wrong_option, "api_url": sim.base_url},
         "ignore_errors": True},
        {"name": "Read the teams with a wrong token from the environment",
         "simplebackups.simplebackups.simplebackups_team_info": {"api_url": sim.base_url},
         "ignore_errors": True},
    ])]
    result = ansible.run(play, args=[verbosity] if verbosity else [], env={"SIMPLEBACKUPS_API_TOKEN": wrong_env})
    recap = result.assert_ok()
    assert recap["ignored"] == 2, str(result)
    for wrong in (wrong_option, wrong_env):
        assert wrong not in result.output
        assert wrong[4:] not in result.output
    assert "GET /storage/list failed with HTTP 401: Unauthenticated." in result.output, str(result)
    assert "GET /team/list failed with HTTP 401: Unauthenticated." in result.output, str(result)
    assert [(e["method"] + " " + e["path"], e["token"]) for e in sim.requests()] == [
        ("GET /storage/list", wrong_option[:4] + "\u2026"), ("GET /team/list", wrong_env[:4] + "\u2026")]


# -- rate limiting, transport ---------------------------------------------------------------------


def test_rate_limited_play_waits_and_succeeds(sim, ansible):
    """A play that needs more calls than the limit allows waits (Retry-After) and succeeds.

    The simulator's window is 60 s (Laravel's); the play ages it with the clock hook right
    before it runs over the limit, so each wait is a few seconds, not a minute.
    """
    limit = 3
    sim.reset(rate_limit=limit, page_size=2)
    age_window = {"name": "Age the rate-limit window: 3 seconds are left of it",
                  "ansible.builtin.uri": {"url": sim.root_url + "/_sim/clock", "method": "POST",
                                          "body_format": "json", "body": {"advance": 57}}}
    play = [dict(
        name="More calls than the rate limit", hosts="localhost", gather_facts=False,
        module_defaults={GROUP: {"api_token": "{{ simplebackups_api_token }}",
                                 "api_url": "{{ simplebackups_api_url }}", "rate_limit_timeout": 30}},
        tasks=[
            {"name": "Read the teams (3 calls: all the window allows)",
             "simplebackups.simplebackups.simplebackups_team_info": None, "register": "first"},
            age_window,
            {"name": "Read the teams again (over the limit)",
             "simplebackups.simplebackups.simplebackups_team_info": None, "register": "second"},
            age_window,
            {"name": "Read the storages (3 pages, over the limit in the middle)",
             "simplebackups.simplebackups.simplebackups_storage_info": None, "register": "storages"},
            {"name": "Check", "ansible.builtin.assert": {"that": [
                "first.rate_limited_seconds is not defined",
                "second.rate_limited_seconds > 0",
                "storages.rate_limited_seconds > 0",
                "second.teams == first.teams",
                "storages.storages | length == 6",
            ]}},
        ])]
    result = ansible.run(play, target_vars(sim))
    result.assert_ok()
    entries = sim.requests()
    statuses = [(e["method"] + " " + e["path"], e["status"]) for e in entries]
    assert statuses == [
        ("GET /team/list", 200), ("GET /team/list", 200), ("GET /team/current", 200),
        ("GET /team/list", 429), ("GET /team/list", 200), ("GET /team/list", 200), ("GET /team/current", 200),
        ("GET /storage/list", 429), ("GET /storage/list", 200), ("GET /storage/list", 200), ("GET /storage/list", 200),
    ], str(result)


def test_transient_errors_on_reads_are_retried(sim, ansible):
    sim.control("POST", "faults", {"kind": "status", "status": 502, "count": 1, "method": "GET", "path": "/storage/list"})
    sim.control("POST", "faults", {"kind": "drop", "count": 1, "method": "GET", "path": "/team/current"})
    play = [dict(name="Reads through transient errors", hosts="localhost", gather_facts=False,
                 module_defaults={GROUP: {"api_token": "{{ simplebackups_api_token }}",
                                          "api_url": "{{ simplebackups_api_url }}"}},
                 tasks=[{"name": "Read the storages", "simplebackups.simplebackups.simplebackups_storage_info": None},
                        {"name": "Read the teams", "simplebackups.simplebackups.simplebackups_team_info": None}])]
    ansible.run(play, target_vars(sim)).assert_ok()
    assert [(e["path"], e["status"]) for e in sim.requests()] == [
        ("/storage/list", 502), ("/storage/list", 200),
        ("/team/list", 200), ("/team/current", None), ("/team/current", 200)]


def _certificates(directory):
    """A private CA and a server certificate for 127.0.0.1 that it signed (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def key_pem(key):
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "simplebackups integration test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = dict(ca=directory / "ca.pem", cert=directory / "server.pem", key=directory / "server.key")
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key_pem(key))
    return paths


@pytest.fixture(scope="module")
def https_sim(tmp_path_factory):
    paths = _certificates(tmp_path_factory.mktemp("tls"))
    server = start_simulator(tls_cert=str(paths["cert"]), tls_key=str(paths["key"]))
    simulator = Sim(server)
    simulator.ca_path = str(paths["ca"])
    yield simulator
    server.stop()


def test_https_with_a_private_ca(https_sim, ansible):
    """ca_path verifies, validate_certs=false skips verification, validate_certs=true fails.

    requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a Session's ``verify``; the
    options must win over the environment, so each is tried with and without them (many
    machines and CI images set them).
    """
    sim = https_sim
    sim.reset()
    assert sim.base_url.startswith("https://")
    import requests

    tasks = []
    for label, bundle in (("no CA bundle", ""), ("a CA bundle", requests.certs.where())):
        environment = {"REQUESTS_CA_BUNDLE": bundle, "CURL_CA_BUNDLE": bundle}
        tasks += [
            {"name": "Verify the certificate with ca_path, %s in the environment" % label,
             "simplebackups.simplebackups.simplebackups_team_info": {"ca_path": sim.ca_path},
             "environment": environment, "register": "with_ca"},
            {"name": "Do not verify the certificate, %s in the environment" % label,
             "simplebackups.simplebackups.simplebackups_team_info": {"validate_certs": False},
             "environment": environment, "register": "unverified"},
            {"name": "Check", "ansible.builtin.assert": {"that": [
                "with_ca.current_team.name == 'ACME Inc'",
                "unverified.teams == with_ca.teams",
            ]}},
        ]
    tasks += [
        {"name": "Verify the certificate against the system's CAs",
         "simplebackups.simplebackups.simplebackups_storage_info": {"validate_certs": True},
         "register": "verified", "failed_when": "verified is not failed"},
        {"name": "Check that verification failed", "ansible.builtin.assert": {"that": [
            "'GET /storage/list failed' in verified.msg",
            "'CERTIFICATE_VERIFY_FAILED' in verified.msg or 'certificate verify failed' in verified.msg",
        ]}},
    ]
    play = [dict(name="HTTPS", hosts="localhost", gather_facts=False, tasks=tasks,
                 module_defaults={GROUP: {"api_token": "{{ simplebackups_api_token }}",
                                          "api_url": "{{ simplebackups_api_url }}"}})]
    result = ansible.run(play, target_vars(sim))
    result.assert_ok(changed=0)
    # The request that failed verification never reached the API.
    assert sim.conversation() == TEAM_INFO * 4


# -- documentation and demo ----------------------------------------------------------------------


def module_examples(path):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXAMPLES" for t in node.targets):
            return ast.literal_eval(node.value)
    return None


@pytest.mark.parametrize("module", MODULES, ids=[p.stem for p in MODULES])
def test_module_examples(module, sim, ansible):
    """Every module's EXAMPLES run as they are, with the token from a variable."""
    if module.stem not in EXAMPLE_SETUP:
        pytest.skip("the EXAMPLES of %s are not wired up yet: add the module to EXAMPLE_SETUP" % module.stem)
    examples = module_examples(module)
    assert examples and examples.strip(), "%s has no EXAMPLES" % module.name
    tasks = yaml.safe_load(examples)
    assert isinstance(tasks, list) and tasks
    play = [dict(name="EXAMPLES of %s" % module.stem, hosts="localhost", gather_facts=False,
                 pre_tasks=EXAMPLE_SETUP[module.stem], tasks=tasks)]
    # The examples name only api_token: the URL of the simulator comes from the environment.
    result = ansible.run(play, target_vars(sim), env={"SIMPLEBACKUPS_API_URL": sim.base_url})
    result.assert_ok()
    assert sim.requests(), "the examples made no API call"
    assert_authenticated(sim, sim.requests())


def test_demo_is_idempotent(sim, ansible):
    """`make demo` runs the demo twice: the first run changes the account, the second nothing."""
    env = {"SIMPLEBACKUPS_API_TOKEN": sim.token, "SIMPLEBACKUPS_API_URL": sim.base_url}
    first = ansible.run_file(DEMO, env=env)
    first.assert_ok()
    assert first.localhost["changed"] >= 1, str(first)
    assert "PATCH /team/3/switch" in sim.conversation()
    sim.clear_requests()
    second = ansible.run_file(DEMO, env=env)
    second.assert_ok(changed=0)
    # Honestly idempotent: the second run sent no write at all, not just reported none.
    writes = [e["method"] + " " + e["path"] for e in sim.requests() if e["method"] != "GET"]
    assert writes == [], writes
    assert sim.current_team_id() == 3
