#!/usr/bin/env python3
"""Accounts that know who they are (issue 15), run with the official Composio Python SDK
(composio==0.30.0, see requirements.txt) against a Switchboard server.

Reconnecting the same upstream identity supersedes the older account; a session pinned
to it moves to the new one; a chosen default (Switchboard's own route, which the SDK
does not know, so it is called over plain HTTP) wins over recency; the same identity
under another user id is reported on the account.

Environment and stdout protocol as scenario.py: AUTHORIZE <identity> <url> lines are
completed by the Go harness, RESULT <json> is the last line when every assertion held.
"""

import json
import os
import sys
import traceback
import urllib.request

sys.stdout.reconfigure(line_buffering=True)

from composio import Composio  # noqa: E402


class ScenarioFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise ScenarioFailure(message)


def env(name):
    value = os.environ.get(name, "").strip()
    check(value, f"environment variable {name} is not set")
    return value


def raw(method, path, body=None):
    """Calls the server without the SDK, for Switchboard's own fields and routes."""
    req = urllib.request.Request(
        env("SWITCHBOARD_URL") + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"x-api-key": env("SWITCHBOARD_API_KEY"), "content-type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def connect(session, who):
    auth = session.authorize("gmail")
    print(f"AUTHORIZE {who} {auth.redirect_url}", flush=True)
    connection = auth.wait_for_connection()
    check(connection.status == "ACTIVE", f"{who} connection status {connection.status!r}, want ACTIVE")
    return connection.id


def active(session):
    for toolkit in session.toolkits().items:
        if toolkit.slug == "gmail" and toolkit.connection.connected_account:
            return toolkit.connection.connected_account.id
    return None


def run():
    composio = Composio(
        api_key=env("SWITCHBOARD_API_KEY"),
        base_url=env("SWITCHBOARD_URL"),
        allow_tracking=False,
        timeout=30,
    )
    session = composio.create(user_id="user_1")
    first = connect(session, "work")
    pinned = composio.create(user_id="user_1", connected_accounts={"gmail": first})
    check(active(pinned) == first, f"pinned session shows {active(pinned)!r}, want {first!r}")

    # --- Reconnecting the same identity supersedes the older account ---
    second = connect(session, "work")
    check(second != first, "the reconnection returned the same account id")
    old = composio.connected_accounts.get(first)
    check(old.status == "INACTIVE", f"the superseded account is {old.status!r}, want INACTIVE")
    old_raw = raw("GET", f"/api/v3.1/connected_accounts/{first}")
    check(old_raw.get("status_reason") == f"superseded by {second}",
          f"the superseded account's reason is {old_raw.get('status_reason')!r}, want 'superseded by {second}'")
    check(old_raw.get("superseded_by") == second, f"superseded_by is {old_raw.get('superseded_by')!r}, want {second!r}")
    listed = composio.connected_accounts.list(user_ids=["user_1"], toolkit_slugs=["gmail"], statuses=["ACTIVE"])
    active_ids = [item.id for item in listed.items]
    check(active_ids == [second], f"ACTIVE gmail accounts of user_1: {active_ids!r}, want only {second!r}")
    check(active(pinned) == second, f"the session pinned to the superseded account shows {active(pinned)!r}, want {second!r}")

    # --- Another identity is another account; recency picks it, a chosen default wins ---
    personal = connect(session, "personal")
    check(active(session) == personal, f"unpinned session shows {active(session)!r}, want the most recent {personal!r}")
    marked = raw("PATCH", f"/api/v3.1/connected_accounts/{second}/default", {"is_default": True})
    check(marked.get("is_default") is True, f"PATCH .../default answered {marked!r}")
    check(active(session) == second, f"after choosing {second!r} as default the session shows {active(session)!r}")
    fresh = composio.create(user_id="user_1")
    check(active(fresh) == second, f"a new session shows {active(fresh)!r}, want the default {second!r}")
    listed = composio.connected_accounts.list(user_ids=["user_1"], toolkit_slugs=["gmail"], statuses=["ACTIVE"])
    check(sorted(item.id for item in listed.items) == sorted([second, personal]),
          f"ACTIVE accounts after connecting personal: {[item.id for item in listed.items]!r}")

    # --- The same identity under another user id is reported, never merged ---
    other_session = composio.create(user_id="user_2")
    other = connect(other_session, "work")
    still = composio.connected_accounts.get(second)
    check(still.status == "ACTIVE", f"user_1's account became {still.status!r} when user_2 connected the same identity")
    mine = raw("GET", f"/api/v3.1/connected_accounts/{second}")
    theirs = raw("GET", f"/api/v3.1/connected_accounts/{other}")
    check(mine.get("identity_shared_with_user_ids") == ["user_2"], f"user_1's account reports {mine.get('identity_shared_with_user_ids')!r}")
    check(theirs.get("identity_shared_with_user_ids") == ["user_1"], f"user_2's account reports {theirs.get('identity_shared_with_user_ids')!r}")
    check(mine.get("identity") == theirs.get("identity") and mine.get("identity"), f"identities differ: {mine.get('identity')!r}, {theirs.get('identity')!r}")
    check(mine.get("health", {}).get("status") == "ok", f"health of a just-connected account: {mine.get('health')!r}")

    return {
        "sdk": "python",
        "first": first,
        "second": second,
        "personal": personal,
        "other": other,
        "identity": mine.get("identity"),
    }


def main():
    try:
        result = run()
    except ScenarioFailure as failure:
        print(f"SCENARIO FAILED (python): {failure}", file=sys.stderr, flush=True)
        return 1
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        print(f"SCENARIO FAILED (python): {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return 1
    print("RESULT " + json.dumps(result, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
