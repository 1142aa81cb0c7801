#!/usr/bin/env python3
"""Execution logs through the official Composio Python SDK (composio==0.30.0):
composio.logs.search and composio.logs.get against a Switchboard server on
which the Go harness has already run tools.

Environment:
  SWITCHBOARD_URL, SWITCHBOARD_API_KEY   the server and an admin key
  OK_LOG_ID        the log of a GMAIL_GET_PROFILE call that succeeded
  FAILED_LOG_ID    the log of a GMAIL_SEND_EMAIL call that failed (its arguments held a password)
  ACCOUNT_ID       the connected account both calls used
  SESSION_ID       the session they ran in
  SECRET           the password value, which must appear nowhere

Stdout: RESULT <json> as the last line when every assertion held; exit 1 otherwise.
"""

import json
import os
import sys
import time
import traceback

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


def val(x):
    """An enum member's value, or the string the model kept."""
    return getattr(x, "value", x)


def strict(model):
    """Validates what the SDK returned against its own response model: the
    SDK builds it without validation, so a missing or mistyped field would
    otherwise pass unnoticed."""
    return type(model).model_validate(model.model_dump(warnings=False, by_alias=True))


def run():
    composio = Composio(api_key=env("SWITCHBOARD_API_KEY"), base_url=env("SWITCHBOARD_URL"), allow_tracking=False, timeout=30)
    ok_id, failed_id = env("OK_LOG_ID"), env("FAILED_LOG_ID")
    account, session, secret = env("ACCOUNT_ID"), env("SESSION_ID"), env("SECRET")
    now = int(time.time() * 1000)

    page = composio.logs.search(
        limit=20,
        filters=[
            {"field": "toolkit_slug", "operator": "==", "value": "gmail"},
            {"field": "connected_account_id", "operator": "==", "value": account},
        ],
        time_range={"from": now - 3600_000, "to": now + 60_000},
    )
    strict(page)
    ids = [log.id for log in page.logs]
    check(ok_id in ids and failed_id in ids, f"search by toolkit and account: got {ids}, want {ok_id} and {failed_id}")
    statuses = {log.id: (val(log.status), val(log.level), log.type) for log in page.logs}
    check(statuses[ok_id] == ("success", "info", "tool.execution"), f"the successful call's log: {statuses[ok_id]}")
    check(statuses[failed_id] == ("failed", "error", "tool.execution"), f"the failed call's log: {statuses[failed_id]}")

    failed = composio.logs.search(filters=[{"field": "status", "operator": "==", "value": "failed"},
                                           {"field": "session_id", "operator": "==", "value": session}])
    check([log.id for log in failed.logs] == [failed_id], f"search failed logs of the session: {[log.id for log in failed.logs]}")

    first = composio.logs.search(limit=1, filters=[{"field": "tool_slug", "operator": "contains", "value": "GMAIL_"}])
    check(len(first.logs) == 1 and first.next_cursor, f"a page of one: {len(first.logs)} logs, next_cursor {first.next_cursor!r}")
    second = composio.logs.search(limit=1, cursor=first.next_cursor, filters=[{"field": "tool_slug", "operator": "contains", "value": "GMAIL_"}])
    check(len(second.logs) == 1 and second.logs[0].id != first.logs[0].id, "the second page repeats the first")

    none = composio.logs.search(time_range={"from": now - 7200_000, "to": now - 3600_000})
    check(none.logs == [] and none.next_cursor is None, f"an empty time range: {none}")

    detail = composio.logs.get(failed_id)
    strict(detail)
    check(detail.id == failed_id and val(detail.status) == "failed", f"get: {detail.id} {detail.status}")
    check(detail.context.session_id == session and detail.context.request_id, f"get: context {detail.context}")
    check(detail.timings and detail.timings.end_time >= detail.timings.start_time, f"get: timings {detail.timings}")
    args = detail.data["request"]["arguments"]
    check(args.get("password") == "[REDACTED]" and args.get("subject") == "hi", f"get: arguments {args}")
    check(secret not in json.dumps(detail.model_dump(mode="json", warnings=False)), "the password reached the log")

    ok = composio.logs.get(ok_id)
    strict(ok)
    check(ok.data["response"].get("emailAddress"), f"get: response {ok.data['response']}")
    return {"model": type(page).__name__, "detail_model": type(detail).__name__, "searched": len(ids), "failed": [log.id for log in failed.logs], "paged": [first.logs[0].id, second.logs[0].id],
            "arguments": args, "response_keys": sorted(ok.data["response"].keys())}


def main():
    try:
        result = run()
    except ScenarioFailure as failure:
        print(f"SCENARIO FAILED (python logs): {failure}", file=sys.stderr, flush=True)
        return 1
    except Exception as error:  # an SDK exception is a failure of the server's wire format
        traceback.print_exc(file=sys.stderr)
        print(f"SCENARIO FAILED (python logs): {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return 1
    print("RESULT " + json.dumps(result, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
