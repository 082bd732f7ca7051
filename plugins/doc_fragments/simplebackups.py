# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):

    # The connection options every module takes.
    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - The SimpleBackups API token (Settings, API in the SimpleBackups dashboard).
      - Sent as a Bearer token. It is never shown in output or in error messages.
      - If not set, the value of the E(SIMPLEBACKUPS_API_TOKEN) environment variable is used.
      - Set it once for every module with C(module_defaults) and
        C(group/simplebackups.simplebackups.simplebackups).
      - Prefer this option, C(module_defaults) or an exported environment variable to the
        C(environment) keyword of a task, whose values ansible-core itself prints at C(-vvv).
    type: str
    required: true
  api_url:
    description:
      - Base URL of the SimpleBackups API, up to and including C(/api).
      - Point it at the bundled simulator to test playbooks offline.
      - If not set, the value of the E(SIMPLEBACKUPS_API_URL) environment variable is used.
    type: str
    default: https://my.simplebackups.io/api
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(api_url).
      - Only set to V(false) for a test endpoint with a self-signed certificate; prefer O(ca_path).
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM bundle of CA certificates used to verify O(api_url), instead of the
        system's bundle.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request to connect and answer.
    type: int
    default: 30
  rate_limit_timeout:
    description:
      - The API allows 60 requests a minute per token and answers HTTP 429 beyond that.
        The module then waits as long as the API asks (C(Retry-After)) and tries again.
      - This is how many seconds, in total, the module keeps waiting on rate limiting before
        it fails. V(0) fails on the first 429.
    type: int
    default: 120
requirements:
  - requests
notes:
  - Reads (HTTP GET) are retried on HTTP 502, 503 and 504 and on connection errors, with a
    capped, jittered exponential backoff. Writes are never sent twice; after an uncertain
    write the modules read the state again before deciding.
"""

    # Membership of the action group defined in meta/runtime.yml.
    ACTIONGROUP = r"""
attributes:
  action_group:
    description: Use C(group/simplebackups.simplebackups.simplebackups) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - simplebackups.simplebackups.simplebackups
"""

    # Attributes of a module that only reads.
    INFO_MODULE = r"""
attributes:
  check_mode:
    support: full
    details: This module only reads; it runs the same in check mode.
  diff_mode:
    support: N/A
    details: This module only reads; there is nothing to diff.
  platform:
    support: full
    platforms: all
"""
