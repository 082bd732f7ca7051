# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark: many backup jobs managed at once, under the API's real rate limit.

One inventory host per backup job (local connection), all of them run in parallel with
``forks``, against the bundled simulator with its rate limit set as the service's (60
requests a minute per token). Each phase is one real ``ansible-playbook`` run: create, re-run
(no change), update, update in check mode, delete. For each it prints the wall time, the API
calls (from the simulator's request log), calls per job, writes, 429 answers and the changes
Ansible reported.

It checks what it measures (a re-run and check mode write nothing and change nothing, every
job ends created and then deleted) and exits non-zero when that does not hold, but it is not
a test: the figures are for reading. `make bench`; knobs: BENCH_BACKUPS (15), BENCH_FORKS
(15), BENCH_RATE_LIMIT (60; 0 for no limit), BENCH_VERSION (2.19).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

import sb_integration  # noqa: E402  (after the path is set)
from sb_integration import Ansible, Sim, install_collection, start_simulator  # noqa: E402

GROUP = "group/simplebackups.simplebackups.simplebackups"


def env_int(name, default):
    value = os.environ.get(name, "")
    try:
        return int(value) if value.strip() else default
    except ValueError:
        sys.exit("%s must be a whole number, not %r" % (name, value))


def backup_play(state="present", retention=7):
    task = {"simplebackups.simplebackups.simplebackups_backup": {
        "name": "{{ inventory_hostname }}", "state": state}}
    if state == "present":
        task["simplebackups.simplebackups.simplebackups_backup"].update(
            type="file", server="bench-server", storage="AWS S3", file_path="/srv/{{ inventory_hostname }}",
            schedule="daily", retention=retention)
    task["name"] = "Backup job %s" % state
    return [dict(name="Bench: backup jobs", hosts="all", gather_facts=False,
                 module_defaults={GROUP: {"api_token": "{{ sb_token }}", "api_url": "{{ sb_url }}",
                                          "rate_limit_timeout": 900}},
                 tasks=[task])]


def server_play():
    return [dict(name="Bench: the server", hosts="localhost", gather_facts=False, tasks=[{
        "name": "Add the server the jobs run on",
        "simplebackups.simplebackups.simplebackups_server": {
            "api_token": "{{ sb_token }}", "api_url": "{{ sb_url }}", "name": "bench-server",
            "connection_type": "password", "host": "127.0.0.1", "user": "backup", "password": "bench-password"}}])]


def main():
    backups = env_int("BENCH_BACKUPS", 15)
    forks = env_int("BENCH_FORKS", 15)
    rate_limit = env_int("BENCH_RATE_LIMIT", 60)
    if backups < 1 or forks < 1 or rate_limit < 0:
        sys.exit("BENCH_BACKUPS and BENCH_FORKS must be >= 1, BENCH_RATE_LIMIT >= 0")
    # A phase under the real limit takes minutes: the integration suite's per-run bound is
    # too short for it.
    sb_integration.PLAYBOOK_TIMEOUT = 3600

    work = Path(tempfile.mkdtemp(prefix="simplebackups-bench-"))
    collections = install_collection(work)
    ansible = Ansible(collections, work)
    inventory = work / "inventory.ini"
    inventory.write_text("".join("bench-%03d ansible_connection=local ansible_python_interpreter=%s\n"
                                 % (n, sys.executable) for n in range(1, backups + 1)))
    server = start_simulator()
    try:
        sim = Sim(server)
        sim.reset(rate_limit=rate_limit if rate_limit else 100000)
        extra = dict(sb_token=sim.token, sb_url=sim.base_url)
        ansible.run(server_play(), extra).assert_ok(changed=1)
        sim.clear_requests()

        phases = [
            ("create", backup_play(), False, backups),
            ("re-run", backup_play(), False, 0),
            ("update", backup_play(retention=14), False, backups),
            ("check mode", backup_play(retention=30), True, backups),
            ("delete", backup_play(state="absent"), False, backups),
        ]
        rows = []
        problems = []
        args = ["-i", str(inventory), "--forks", str(forks)]
        for name, play, check, want_changed in phases:
            started = time.monotonic()
            result = ansible.run(play, extra, args=args, check=check)
            seconds = time.monotonic() - started
            entries = sim.requests()
            sim.clear_requests()
            recap = result.recap
            failed = sum(host["failed"] + host["unreachable"] for host in recap.values())
            changed = sum(host["changed"] for host in recap.values())
            writes = [e for e in entries if e["method"] != "GET" and e["status"] != 429]
            throttled = sum(1 for e in entries if e["status"] == 429)
            answered = len(entries) - throttled
            rows.append((name, seconds, answered, answered / float(backups), len(writes), throttled, changed))
            if result.rc != 0 or failed or len(recap) != backups:
                problems.append("%s: rc=%s, %d failed, %d hosts in the recap\n%s"
                                % (name, result.rc, failed, len(recap), result))
            if changed != want_changed:
                problems.append("%s: %d changed, expected %d" % (name, changed, want_changed))
            if (check or name == "re-run") and writes:
                problems.append("%s wrote: %s" % (name, [(e["method"], e["path"]) for e in writes]))
        left = [b["name"] for b in sim.state()["backups"] if b["name"].startswith("bench-")]
        if left:
            problems.append("backups left after delete: %s" % left)
    finally:
        server.stop()

    limit = "%d/min" % rate_limit if rate_limit else "none"
    print()
    print("simplebackups_backup: %d jobs, forks %d, rate limit %s, ansible-core of %s"
          % (backups, forks, limit, sys.executable))
    header = ("phase", "wall s", "API calls", "per job", "writes", "429s", "changed")
    print("%-11s %8s %10s %8s %7s %6s %8s" % header)
    for name, seconds, answered, per_job, writes, throttled, changed in rows:
        print("%-11s %8.1f %10d %8.2f %7d %6d %8d" % (name, seconds, answered, per_job, writes, throttled, changed))
    print("(API calls: requests answered, 429s not counted; a 429 is answered again after Retry-After)")
    if problems:
        print("\nBENCH CHECKS FAILED:\n" + "\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
