# -*- coding: utf-8 -*-
# Copyright (c) SimpleBackups collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP client for the SimpleBackups API, shared by every module of the collection.

One ``SimpleBackupsClient`` (one ``requests.Session``) lives for one module run. It owns
authentication, the retry policy (429 on any method, 502/503/504 and connection errors on
reads only), Laravel-style pagination and the translation of every failure into one
exception type, ``SimpleBackupsAPIError``, whose text never carries the API token.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
import traceback

from ansible.module_utils.basic import env_fallback, missing_required_lib

from urllib.parse import urljoin, urlsplit

REQUESTS_IMPORT_ERROR = None
try:
    import requests
except ImportError:  # pragma: no cover - exercised only where requests is absent
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

COLLECTION_VERSION = "1.0.0"
DEFAULT_API_URL = "https://my.simplebackups.io/api"

# Reads are retried on these; a write that got one may have been committed, so it is
# never resent blindly (the resource modules re-read instead).
TRANSIENT_STATUSES = (502, 503, 504)
READ_ATTEMPTS = 5
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
MAX_PAGES = 1000

_SECRET_QUERY_RE = re.compile(r"((?:api_token|token)=)[^&\s\"']+", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]+>")


def simplebackups_argument_spec():
    """The options every module of the collection takes (see the doc fragment)."""
    return dict(
        api_token=dict(
            type="str",
            required=True,
            no_log=True,
            fallback=(env_fallback, ["SIMPLEBACKUPS_API_TOKEN"]),
        ),
        api_url=dict(
            type="str",
            default=DEFAULT_API_URL,
            fallback=(env_fallback, ["SIMPLEBACKUPS_API_URL"]),
        ),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="int", default=30),
        rate_limit_timeout=dict(type="int", default=120),
    )


def redact(text, secrets=()):
    """Remove secrets (the token, ``api_token=``/``token=`` query values) from a text."""
    if text is None:
        return text
    text = str(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    return _SECRET_QUERY_RE.sub(r"\1********", text)


class SimpleBackupsAPIError(Exception):
    """Any failure of an API call: transport, HTTP status or unusable answer.

    ``maybe_committed`` is true when a write may have reached the service before the failure
    (a 5xx or a dropped connection after the request was sent): the caller must re-read the
    state before deciding anything, never resend.
    """

    def __init__(self, method, path, status=None, message=None, errors=None,
                 body=None, maybe_committed=False):
        self.method = method
        self.path = path
        self.status = status
        self.api_message = message
        self.errors = errors or {}
        self.body = body
        self.maybe_committed = maybe_committed
        super(SimpleBackupsAPIError, self).__init__(self.describe())

    def field_errors(self):
        """Laravel's per-field errors flattened to ``field: message`` strings."""
        flat = []
        if isinstance(self.errors, dict):
            for field, messages in self.errors.items():
                if isinstance(messages, (list, tuple)):
                    messages = "; ".join(str(m) for m in messages)
                flat.append("%s: %s" % (field, messages))
        elif isinstance(self.errors, list):
            flat.extend(str(e) for e in self.errors)
        return flat

    def describe(self):
        where = "%s %s" % (self.method, self.path)
        if self.status is None:
            text = "%s failed: %s" % (where, self.api_message or "no answer from the API")
        else:
            text = "%s failed with HTTP %s" % (where, self.status)
            if self.api_message:
                text += ": %s" % self.api_message
        details = self.field_errors()
        if details and not (len(details) == 1 and self.api_message and self.api_message in details[0]):
            text += " (%s)" % "; ".join(details)
        return text

    def to_failure(self):
        """The structure modules return as ``failure`` next to ``msg``."""
        return dict(
            method=self.method,
            path=self.path,
            status=self.status,
            message=self.api_message,
            errors=self.errors,
            maybe_committed=self.maybe_committed,
        )


class SimpleBackupsClient(object):
    """A session with the SimpleBackups API for one module run."""

    def __init__(self, module, sleep=None, clock=None):
        if requests is None:
            module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self.module = module
        params = module.params
        self.token = params["api_token"]
        self.base_url = (params.get("api_url") or DEFAULT_API_URL).rstrip("/")
        self.timeout = params.get("timeout") or 30
        self.rate_limit_timeout = params.get("rate_limit_timeout")
        if self.rate_limit_timeout is None:
            self.rate_limit_timeout = 120
        self._sleep = sleep or time.sleep
        self._clock = clock or time.monotonic
        self.session = requests.Session()
        self.session.headers.update({
            "Authorization": "Bearer %s" % self.token,
            "Accept": "application/json",
            "User-Agent": "simplebackups.simplebackups/%s (Ansible)" % COLLECTION_VERSION,
        })
        ca_path = params.get("ca_path")
        # Passed on every request: requests lets REQUESTS_CA_BUNDLE override session.verify.
        self.verify = ca_path if ca_path else params.get("validate_certs", True)
        self.session.verify = self.verify
        # Waits the run has spent on 429s, reported to the module for visibility.
        self.rate_limited_seconds = 0.0

    # -- public API -----------------------------------------------------------------

    def sleep(self, seconds):
        """Pause between polls; the same clock as the retry policy (patched in tests)."""
        self._sleep(seconds)

    def now(self):
        return self._clock()

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def post(self, path, body=None):
        return self.request("POST", path, body=body if body is not None else {})

    def patch(self, path, body=None):
        return self.request("PATCH", path, body=body if body is not None else {})

    def get_list(self, path, params=None):
        """All items of a list endpoint, following Laravel pagination when it is present."""
        items = []
        answer = self.get(path, params=params)
        seen_pages = set()
        for dummy in range(MAX_PAGES):
            if isinstance(answer, list):
                # Tolerate a bare list, though the contract says {"data": [...]}.
                items.extend(answer)
                return items
            if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
                raise SimpleBackupsAPIError(
                    "GET", path, 200, "expected a JSON object with a 'data' list, got: %s" % _snippet(answer))
            items.extend(answer["data"])
            next_request = self._next_page(answer, path, params)
            if next_request is None:
                return items
            key = repr(next_request)
            if key in seen_pages:
                raise SimpleBackupsAPIError("GET", path, 200, "pagination loops: the next page repeats a page already read")
            seen_pages.add(key)
            next_path, next_params = next_request
            answer = self.get(next_path, params=next_params)
        raise SimpleBackupsAPIError("GET", path, 200, "more than %d pages; giving up" % MAX_PAGES)

    def request(self, method, path, params=None, body=None, safe=None):
        """One API call with the retry policy; returns the decoded JSON (None on 204).

        ``safe`` says whether the call can be sent twice without effect (default: GET is
        safe). An unsafe GET (``backup/{id}/run`` starts a job) is retried only like a write:
        when it provably never left.
        """
        url = self._url(path)
        read = method == "GET" if safe is None else safe
        attempt = 0
        rate_limit_started = None
        backoff_step = 0
        while True:
            attempt += 1
            try:
                response = self.session.request(
                    method, url, params=params,
                    json=body if method != "GET" else None,
                    timeout=self.timeout,
                    verify=self.verify,
                )
            except requests.exceptions.RequestException as exc:
                never_sent = _never_sent(exc)
                # A certificate that fails verification fails again: say so at once.
                retry = not isinstance(exc, requests.exceptions.SSLError)
                if retry and (read or never_sent) and attempt < READ_ATTEMPTS:
                    self._sleep(self._backoff(attempt))
                    continue
                raise SimpleBackupsAPIError(
                    method, path, None, self._redact("%s: %s" % (type(exc).__name__, exc)),
                    maybe_committed=not read and not never_sent)

            status = response.status_code
            if status == 429:
                now = self._clock()
                if rate_limit_started is None:
                    rate_limit_started = now
                backoff_step += 1
                wait = _retry_after(response)
                if wait is None:
                    wait = self._backoff(backoff_step)
                # A window that resets "now" still deserves a pause, or we hammer the API.
                wait = max(wait, 1.0)
                waited = now - rate_limit_started
                if self.rate_limit_timeout <= 0 or waited + wait > self.rate_limit_timeout:
                    raise SimpleBackupsAPIError(
                        method, path, 429,
                        "still rate limited after waiting %d seconds (rate_limit_timeout=%d); "
                        "the API allows 60 requests a minute per token: reduce forks or raise "
                        "rate_limit_timeout" % (int(waited), self.rate_limit_timeout),
                    )
                self.rate_limited_seconds += wait
                self._sleep(wait)
                attempt -= 1  # waiting on the limit is not a failed attempt
                continue
            if status in TRANSIENT_STATUSES and read and attempt < READ_ATTEMPTS:
                self._sleep(self._backoff(attempt))
                continue
            return self._decode(method, path, response, read)

    # -- internals --------------------------------------------------------------------

    def _url(self, path):
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return "%s/%s" % (self.base_url, path.lstrip("/"))

    def _redact(self, text):
        return redact(text, (self.token,))

    def _backoff(self, attempt):
        """Capped exponential backoff with full jitter."""
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))
        return ceiling / 2.0 + random.uniform(0, ceiling / 2.0)

    def _decode(self, method, path, response, read):
        status = response.status_code
        if status == 204 or not response.content:
            if 200 <= status < 300:
                return None
        payload = None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if 200 <= status < 300:
            if payload is None:
                raise SimpleBackupsAPIError(
                    method, path, status, "the API answered with a body that is not JSON: %s"
                    % self._redact(_snippet(response.text)))
            return payload
        message = None
        errors = None
        if isinstance(payload, dict):
            message = payload.get("message")
            errors = payload.get("errors")
        if not message:
            message = _snippet(_TAG_RE.sub(" ", response.text or "")) or response.reason
        raise SimpleBackupsAPIError(
            method, path, status, self._redact(message), errors=self._redact_tree(errors),
            body=self._redact_tree(payload), maybe_committed=(not read and status >= 500),
        )

    def _redact_tree(self, value):
        """A copy of decoded JSON with every string redacted (APIs echo what they were sent)."""
        if isinstance(value, dict):
            return dict((key, self._redact_tree(item)) for key, item in value.items())
        if isinstance(value, list):
            return [self._redact_tree(item) for item in value]
        if isinstance(value, str):
            return self._redact(value)
        return value

    def _next_page(self, answer, path, params):
        """(path_or_url, params) of the next page, or None on the last one."""
        links = answer.get("links")
        meta = answer.get("meta") if isinstance(answer.get("meta"), dict) else {}
        next_url = None
        if isinstance(links, dict):
            next_url = links.get("next")
        if not next_url:
            next_url = answer.get("next_page_url")
        if next_url:
            if self._same_origin(next_url):
                return (urljoin(self.base_url + "/", next_url), None)
            # Never send the token to a host other than api_url: ask for the page ourselves.
        current = _as_int(meta.get("current_page", answer.get("current_page")))
        last = _as_int(meta.get("last_page", answer.get("last_page")))
        if current is not None and last is not None and current < last:
            next_params = dict(params or {})
            next_params["page"] = current + 1
            return (path, next_params)
        if next_url:
            raise SimpleBackupsAPIError(
                "GET", path, 200, "the next page points outside api_url (%s); refusing to send the token there"
                % self._redact(next_url))
        return None

    def _same_origin(self, url):
        base = urlsplit(self.base_url)
        other = urlsplit(urljoin(self.base_url + "/", url))
        return (base.scheme, base.netloc) == (other.scheme, other.netloc)


def _never_sent(exc):
    """True when the request cannot have reached the service (safe to send again)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        name = type(inner).__name__
        return name in ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError")
    return False


def _retry_after(response):
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _snippet(value, limit=300):
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")
