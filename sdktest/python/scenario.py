#!/usr/bin/env python3
"""The seed's multi-account calls, run as written by the official Composio Python SDK
(composio==0.30.0, see requirements.txt) against a Switchboard server.

Environment:
  SWITCHBOARD_URL      base URL of the server (e.g. http://127.0.0.1:8080)
  SWITCHBOARD_API_KEY  a project API key (sent as x-api-key)

Stdout protocol (line-buffered; read by the Go harness):
  AUTHORIZE work <redirect_url>      printed before waiting for the first consent
  AUTHORIZE personal <redirect_url>  printed before waiting for the second consent
  RESULT <json>                      the last line, only when every assertion held
Any other stdout line is informational (the seed's own prints).
Exit status 0 only when every assertion held; otherwise a message on stderr and exit 1.
"""

import json
import os
import sys
import traceback
from importlib.metadata import version

sys.stdout.reconfigure(line_buffering=True)

import composio_client  # noqa: E402
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


def active_accounts(session):
    """The seed's 'Viewing session's active account' loop; returns {toolkit slug: account id}."""
    found = {}
    toolkits = session.toolkits()
    for toolkit in toolkits.items:
        if toolkit.connection.connected_account:
            print(f"{toolkit.name}: {toolkit.connection.connected_account.id}")
            found[toolkit.slug] = toolkit.connection.connected_account.id
    return found


def run():
    composio = Composio(
        api_key=env("SWITCHBOARD_API_KEY"),
        base_url=env("SWITCHBOARD_URL"),
        allow_tracking=False,
        timeout=30,
    )

    # --- Connecting multiple accounts (seed, as written) ---
    session = composio.create(user_id="user_123")
    check(session.session_id, "composio.create returned a session without session_id")
    # Connect first account (work)
    work_auth = session.authorize("gmail")
    check(work_auth.id, "session.authorize('gmail') returned no connected_account_id")
    check(
        isinstance(work_auth.redirect_url, str) and work_auth.redirect_url.startswith(("http://", "https://")),
        f"session.authorize('gmail') returned no absolute redirect_url: {work_auth.redirect_url!r}",
    )
    print(f"Connect work Gmail: {work_auth.redirect_url}")
    print(f"AUTHORIZE work {work_auth.redirect_url}", flush=True)
    work_connection = work_auth.wait_for_connection()
    print(f"Work account connected: {work_connection.id}")
    check(work_connection.id == work_auth.id, f"work connection id {work_connection.id!r} != authorize id {work_auth.id!r}")
    check(work_connection.status == "ACTIVE", f"work connection status {work_connection.status!r}, want ACTIVE")

    # Connect second account (personal)
    personal_auth = session.authorize("gmail")
    check(personal_auth.id, "second session.authorize('gmail') returned no connected_account_id")
    check(
        isinstance(personal_auth.redirect_url, str) and personal_auth.redirect_url.startswith(("http://", "https://")),
        f"second session.authorize('gmail') returned no absolute redirect_url: {personal_auth.redirect_url!r}",
    )
    print(f"Connect personal Gmail: {personal_auth.redirect_url}")
    print(f"AUTHORIZE personal {personal_auth.redirect_url}", flush=True)
    personal_connection = personal_auth.wait_for_connection()
    print(f"Personal account connected: {personal_connection.id}")
    check(personal_connection.id == personal_auth.id, f"personal connection id {personal_connection.id!r} != authorize id {personal_auth.id!r}")
    check(personal_connection.status == "ACTIVE", f"personal connection status {personal_connection.status!r}, want ACTIVE")
    check(personal_connection.id != work_connection.id, f"both authorizations returned the same account {work_connection.id!r}")

    # --- Viewing session's active account: the most recent one by default ---
    default_active = active_accounts(session).get("gmail")
    check(
        default_active == personal_connection.id,
        f"session.toolkits() shows gmail account {default_active!r}; want the most recent (personal) {personal_connection.id!r}",
    )

    # --- Selecting a specific account for a session (seed, as written) ---
    # This session will use a specific Gmail account
    session = composio.create(
        user_id="user_123",
        connected_accounts={
            "gmail": work_connection.id,  # Connected account ID
        },
    )
    pinned_work = active_accounts(session).get("gmail")
    check(pinned_work == work_connection.id, f"session pinned to work shows gmail account {pinned_work!r}; want {work_connection.id!r}")

    # To switch accounts, create a new session with a different account ID
    session2 = composio.create(
        user_id="user_123",
        connected_accounts={
            "gmail": personal_connection.id,  # Different account
        },
    )
    pinned_personal = active_accounts(session2).get("gmail")
    check(
        pinned_personal == personal_connection.id,
        f"session pinned to personal shows gmail account {pinned_personal!r}; want {personal_connection.id!r}",
    )

    # --- Pinning another user's account must be refused with a 400 ---
    foreign = None
    try:
        composio.create(
            user_id="user_456",
            connected_accounts={
                "gmail": work_connection.id,
            },
        )
    except composio_client.BadRequestError as error:  # 0.30.0 raises a subclass that is also a ComposioError
        foreign = {"status": error.status_code, "class": type(error).__name__, "message": str(error)}
    except composio_client.APIStatusError as error:
        raise ScenarioFailure(
            f"pinning user_123's account for user_456 failed with HTTP {error.status_code} "
            f"({type(error).__name__}: {error}); want 400"
        ) from error
    check(foreign is not None, "pinning user_123's account for user_456 created a session; want HTTP 400")
    check(foreign["status"] == 400, f"foreign pin returned HTTP {foreign['status']}, want 400")
    check(
        work_connection.id in foreign["message"],
        f"the 400 for a foreign pin does not name the account {work_connection.id!r}: {foreign['message']!r}",
    )
    print(f"Foreign pin refused: {foreign['message']}")

    # --- Listing all user accounts ---
    listed = composio.connected_accounts.list(user_ids=["user_123"], toolkit_slugs=["gmail"])
    check(isinstance(listed.items, list), f"connected_accounts.list returned no items list: {listed!r}")
    by_id = {item.id: item for item in listed.items}
    for label, account_id in (("work", work_connection.id), ("personal", personal_connection.id)):
        check(account_id in by_id, f"connected_accounts.list(user_ids=['user_123'], toolkit_slugs=['gmail']) lacks the {label} account {account_id!r}")
        check(by_id[account_id].status == "ACTIVE", f"listed {label} account {account_id!r} has status {by_id[account_id].status!r}, want ACTIVE")
    for item in listed.items:
        print(f"Listed: {item.id} {item.status}")

    return {
        "sdk": "python",
        "composio": version("composio"),
        "composio_client": version("composio-client"),
        "session_id": session2.session_id,
        "work": work_connection.id,
        "personal": personal_connection.id,
        "default_active": default_active,
        "pinned_work": pinned_work,
        "pinned_personal": pinned_personal,
        "foreign_pin": foreign,
        "listed": sorted(by_id),
    }


def main():
    try:
        result = run()
    except ScenarioFailure as failure:
        print(f"SCENARIO FAILED (python): {failure}", file=sys.stderr, flush=True)
        return 1
    except Exception as error:  # an SDK exception is a failure of the server's wire format
        traceback.print_exc(file=sys.stderr)
        print(f"SCENARIO FAILED (python): {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return 1
    print("RESULT " + json.dumps(result, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
