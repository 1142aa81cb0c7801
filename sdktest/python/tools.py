#!/usr/bin/env python3
"""Tool listing and execution through the official Composio Python SDK
(composio==0.30.0, see requirements.txt) against a Switchboard server.

Environment:
  SWITCHBOARD_URL      base URL of the server (e.g. http://127.0.0.1:8080)
  SWITCHBOARD_API_KEY  a project API key (sent as x-api-key)
  EXPECTED_EMAIL       the email address of the identity that consents (GMAIL_GET_PROFILE's emailAddress)
  EXPECTED_LOGIN       its login at the provider (the test upstream echoes it as data.owner)

Stdout protocol (line-buffered; read by the Go harness):
  AUTHORIZE work <redirect_url>      printed before waiting for the consent
  RESULT <json>                      the last line, only when every assertion held
Any other stdout line is informational.
Exit status 0 only when every assertion held; otherwise a message on stderr and exit 1.

Execution paths exercised (see NOTES.md for what each sends on the wire):
  1. session.tools()                                         GET  .../tool_router/session/{id}/tools?limit=500
  2. session.execute(slug, arguments=...)                    POST .../tool_router/session/{id}/execute
  3. composio.provider.handle_tool_calls(session=session, response=completion)
                                                             POST .../tool_router/session/{id}/execute
  4. composio.provider.handle_tool_calls(user_id="user_123", response=completion)
                                                             GET  /api/v3.1/tools/{slug}
                                                             POST /api/v3.1/tools/execute/{slug}
  5. composio.tools.execute(slug, arguments={}, user_id=..., dangerously_skip_version_check=True)
                                                             GET  /api/v3.1/tools/{slug}?toolkit_versions=latest
                                                             POST /api/v3.1/tools/execute/{slug}
  6. session.execute("GMAIL_SEND_EMAIL", arguments={"subject": "x"})
                                                             a tool error (HTTP 200, error set), not an exception
  7. composio.tools.execute("GMAIL_SEND_EMAIL", arguments={"subject": "x"}, user_id=..., dangerously_skip_version_check=True)
                                                             GET /api/v3.1/tools/{slug} (cached after 5), POST
                                                             /api/v3.1/tools/execute/{slug}: {"successful": False, "error": ...}
  8. session.execute("COMPOSIO_SEARCH_TOOLS", arguments={"queries": [{"use_case": "send an email"}]})
                                                             POST .../tool_router/session/{id}/execute (a meta tool)
  9. session.execute_meta("COMPOSIO_SEARCH_TOOLS", arguments=...)
                                                             POST .../tool_router/session/{id}/execute_meta
"""

import json
import os
import sys
import time
import traceback
from importlib.metadata import version

sys.stdout.reconfigure(line_buffering=True)

import composio_client  # noqa: E402
from composio import Composio  # noqa: E402
from openai.types.chat.chat_completion import ChatCompletion  # noqa: E402


class ScenarioFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise ScenarioFailure(message)


def env(name):
    value = os.environ.get(name, "").strip()
    check(value, f"environment variable {name} is not set")
    return value


def show(value):
    try:
        text = json.dumps(value, default=repr)
    except Exception:  # noqa: BLE001
        text = repr(value)
    return text if len(text) <= 600 else text[:600] + "…"


def sdk_call(what, fn):
    """Runs an SDK call; an exception from it is reported as the server's fault with the call named."""
    try:
        return fn()
    except ScenarioFailure:
        raise
    except composio_client.APIStatusError as error:
        traceback.print_exc(file=sys.stderr)
        raise ScenarioFailure(
            f"{what} raised {type(error).__name__} (HTTP {error.status_code}): {error}; body {show(error.body)}"
        ) from error
    except Exception as error:  # a response the SDK could not take
        traceback.print_exc(file=sys.stderr)
        cause = error.__cause__ or error.__context__
        detail = f"{type(error).__name__}: {error}"
        if cause is not None:
            detail += f"; cause: {type(cause).__name__}: {cause}"
        raise ScenarioFailure(f"{what} raised instead of returning: {detail}") from error


def completion_calling(name, args):
    """A chat completion as OpenAI returns it when the model calls one tool."""
    return ChatCompletion.model_validate(
        {
            "id": "chatcmpl_switchboard",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "gpt-test",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "logprobs": None,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "refusal": None,
                        "tool_calls": [
                            {"id": "call_1", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
                        ],
                    },
                }
            ],
        }
    )


def as_dict(result):
    """Session execute returns a model; tools.execute and the provider helpers return dicts."""
    if isinstance(result, dict):
        return result
    return {"data": getattr(result, "data", None), "error": getattr(result, "error", None)}


def check_profile(what, result, email, login):
    r = as_dict(result)
    check(not r.get("error"), f"{what} returned error {r.get('error')!r}")
    data = r.get("data")
    check(isinstance(data, dict), f"{what} returned no data dict: {show(r)}")
    check(data.get("emailAddress") == email, f"{what}: data.emailAddress is {data.get('emailAddress')!r}, want {email!r}")
    check(data.get("owner") == login, f"{what}: the upstream saw the token of {data.get('owner')!r}, want {login!r}")
    return data


def check_search(what, result):
    """A COMPOSIO_SEARCH_TOOLS result for "send an email": completed, finding GMAIL_SEND_EMAIL."""
    check(result.error is None, f"{what} returned error {result.error!r}")
    check(result.result_type == "completed", f"{what} result_type {result.result_type!r}, want 'completed'")
    check(isinstance(result.log_id, str) and result.log_id, f"{what} returned no log_id: {result!r}")
    data = result.data
    check(isinstance(data, dict), f"{what} returned no data dict: {result!r}")
    results = data.get("results")
    check(isinstance(results, list) and len(results) == 1, f"{what}: want one result per query, got {show(data)}")
    found = list(results[0].get("primary_tool_slugs") or []) + list(results[0].get("related_tool_slugs") or [])
    check("GMAIL_SEND_EMAIL" in found, f"{what} did not find GMAIL_SEND_EMAIL: {found}")
    check("GMAIL_SEND_EMAIL" in (data.get("tool_schemas") or {}), f"{what} has no schema for GMAIL_SEND_EMAIL: {show(data)}")
    return found


def run():
    expected_email = env("EXPECTED_EMAIL")
    expected_login = env("EXPECTED_LOGIN")
    composio = Composio(
        api_key=env("SWITCHBOARD_API_KEY"),
        base_url=env("SWITCHBOARD_URL"),
        allow_tracking=False,
        timeout=30,
    )

    session = sdk_call("composio.create(user_id='user_123')", lambda: composio.create(user_id="user_123"))
    check(session.session_id, "composio.create returned a session without session_id")
    auth = sdk_call("session.authorize('gmail')", lambda: session.authorize("gmail"))
    check(auth.id, "session.authorize('gmail') returned no connected_account_id")
    check(
        isinstance(auth.redirect_url, str) and auth.redirect_url.startswith(("http://", "https://")),
        f"session.authorize('gmail') returned no absolute redirect_url: {auth.redirect_url!r}",
    )
    print(f"AUTHORIZE work {auth.redirect_url}", flush=True)
    connection = sdk_call("wait_for_connection()", auth.wait_for_connection)
    check(connection.id == auth.id, f"connection id {connection.id!r} != authorize id {auth.id!r}")
    check(connection.status == "ACTIVE", f"connection status {connection.status!r}, want ACTIVE")
    print(f"Connected: {connection.id}")

    # --- session.tools(): OpenAI function tools (dicts) ---
    tools = sdk_call("session.tools()", session.tools)
    check(isinstance(tools, list), f"session.tools() returned {type(tools).__name__}; want a list")
    by_name = {}
    for tool in tools:
        check(
            isinstance(tool, dict) and tool.get("type") == "function" and isinstance(tool.get("function", {}).get("name"), str),
            f"session.tools() item is not an OpenAI function tool: {show(tool)}",
        )
        by_name[tool["function"]["name"]] = tool
    for slug in ("GMAIL_GET_PROFILE", "GMAIL_SEND_EMAIL"):
        tool = by_name.get(slug)
        check(tool is not None, f"session.tools() lacks {slug}; got {sorted(by_name)}")
        check(isinstance(tool["function"].get("description"), str) and tool["function"]["description"], f"{slug} has no description: {show(tool)}")
        params = tool["function"].get("parameters")
        check(isinstance(params, dict) and params.get("type") == "object", f"{slug} parameters are not an object schema: {show(params)}")
    send_required = by_name["GMAIL_SEND_EMAIL"]["function"]["parameters"].get("required", [])
    print(f"session.tools(): {len(tools)} tools")

    # --- session.execute ---
    profile = sdk_call(
        "session.execute('GMAIL_GET_PROFILE', arguments={})",
        lambda: session.execute("GMAIL_GET_PROFILE", arguments={}),
    )
    check_profile("session.execute('GMAIL_GET_PROFILE', arguments={})", profile, expected_email, expected_login)
    check(profile.result_type == "completed", f"GMAIL_GET_PROFILE result_type {profile.result_type!r}, want 'completed'")
    check(isinstance(profile.log_id, str) and profile.log_id, f"session.execute returned no log_id: {profile!r}")
    print(f"GMAIL_GET_PROFILE: {profile.data['emailAddress']} (log {profile.log_id})")

    sent = sdk_call(
        "session.execute('GMAIL_SEND_EMAIL', …)",
        lambda: session.execute(
            "GMAIL_SEND_EMAIL",
            arguments={"recipient_email": "bob@example.com", "subject": "Hello from the SDK", "body": "Sent through Switchboard"},
        ),
    )
    check(sent.error is None, f"GMAIL_SEND_EMAIL returned error {sent.error!r}")
    check(sent.result_type == "completed", f"GMAIL_SEND_EMAIL result_type {sent.result_type!r}, want 'completed'")
    check(isinstance(sent.data, dict), f"GMAIL_SEND_EMAIL returned no data dict: {sent!r}")
    check(sent.data.get("owner") in (None, expected_login), f"GMAIL_SEND_EMAIL went out with the token of {sent.data.get('owner')!r}, want {expected_login!r}")
    print(f"GMAIL_SEND_EMAIL: {show(sent.data)}")

    # --- a tool call from the model, run by the default OpenAI provider's helper ---
    completion = completion_calling("GMAIL_GET_PROFILE", {})
    # (a) bound to the session that produced the tools: session execute
    outputs = sdk_call(
        "composio.provider.handle_tool_calls(session=session, response=completion)",
        lambda: composio.provider.handle_tool_calls(session=session, response=completion),
    )
    check(isinstance(outputs, list) and len(outputs) == 1, f"handle_tool_calls(session=…) returned {show(outputs)}; want one result")
    via_session = outputs[0]
    check_profile("composio.provider.handle_tool_calls(session=session, …)", via_session, expected_email, expected_login)
    check(via_session.get("successful") is True, f"handle_tool_calls(session=…) result is not successful: {show(via_session)}")
    # (b) by user id: the direct tools API (GET /tools/{slug}, POST /tools/execute/{slug})
    outputs = sdk_call(
        "composio.provider.handle_tool_calls(user_id='user_123', response=completion)",
        lambda: composio.provider.handle_tool_calls(user_id="user_123", response=completion),
    )
    check(isinstance(outputs, list) and len(outputs) == 1, f"handle_tool_calls(user_id=…) returned {show(outputs)}; want one result")
    via_user = outputs[0]
    check_profile("composio.provider.handle_tool_calls(user_id='user_123', …)", via_user, expected_email, expected_login)
    check(via_user.get("successful") is True, f"handle_tool_calls(user_id=…) result is not successful: {show(via_user)}")
    # (c) the direct tools API from the application, with the version check skipped
    direct = sdk_call(
        "composio.tools.execute('GMAIL_GET_PROFILE', user_id='user_123', …)",
        lambda: composio.tools.execute(
            "GMAIL_GET_PROFILE", arguments={}, user_id="user_123", dangerously_skip_version_check=True
        ),
    )
    check_profile("composio.tools.execute('GMAIL_GET_PROFILE', user_id='user_123', …)", direct, expected_email, expected_login)
    check(direct.get("successful") is True, f"composio.tools.execute result is not successful: {show(direct)}")
    print(f"provider helper: session {via_session['data']['owner']}, user {via_user['data']['owner']}; tools.execute {direct['data']['owner']}")

    # --- a failing call is the tool's error, not an exception ---
    failed = sdk_call(
        "session.execute('GMAIL_SEND_EMAIL', arguments={'subject': 'x'})",
        lambda: session.execute("GMAIL_SEND_EMAIL", arguments={"subject": "x"}),
    )
    check(isinstance(failed.error, str) and failed.error, f"GMAIL_SEND_EMAIL without recipient_email returned no error: {failed!r}")
    check("recipient_email" in failed.error, f"the error for a missing recipient does not mention recipient_email: {failed.error!r}")
    check(failed.result_type == "failed", f"the failed call has result_type {failed.result_type!r}, want 'failed'")
    print(f"missing recipient: {failed.error}")

    # --- the same failure through the direct tools API: {"successful": False, "error": ...}, not an exception ---
    failed_direct = sdk_call(
        "composio.tools.execute('GMAIL_SEND_EMAIL', arguments={'subject': 'x'}, user_id='user_123', …)",
        lambda: composio.tools.execute(
            "GMAIL_SEND_EMAIL", arguments={"subject": "x"}, user_id="user_123", dangerously_skip_version_check=True
        ),
    )
    check(failed_direct.get("successful") is False, f"composio.tools.execute without recipient_email is not unsuccessful: {show(failed_direct)}")
    check(
        isinstance(failed_direct.get("error"), str) and "recipient_email" in failed_direct["error"],
        f"composio.tools.execute without recipient_email: error {failed_direct.get('error')!r} does not mention recipient_email",
    )

    # --- a meta tool through session.execute, as the spec's minimal script runs it ---
    search_args = {"queries": [{"use_case": "send an email"}]}
    search = sdk_call(
        "session.execute('COMPOSIO_SEARCH_TOOLS', …)",
        lambda: session.execute("COMPOSIO_SEARCH_TOOLS", arguments=search_args),
    )
    found = check_search("session.execute('COMPOSIO_SEARCH_TOOLS', …)", search)
    print(f"COMPOSIO_SEARCH_TOOLS: {found} (log {search.log_id})")
    # --- the same through execute_meta ---
    search_meta = sdk_call(
        "session.execute_meta('COMPOSIO_SEARCH_TOOLS', …)",
        lambda: session.execute_meta("COMPOSIO_SEARCH_TOOLS", arguments=search_args),
    )
    found_meta = check_search("session.execute_meta('COMPOSIO_SEARCH_TOOLS', …)", search_meta)

    return {
        "sdk": "python",
        "composio": version("composio"),
        "composio_client": version("composio-client"),
        "session_id": session.session_id,
        "account": connection.id,
        "tools": len(tools),
        "send_email_required": send_required,
        "profile": {"emailAddress": profile.data["emailAddress"], "owner": profile.data["owner"], "log_id": profile.log_id, "result_type": profile.result_type},
        "send": {"error": sent.error, "log_id": sent.log_id, "result_type": sent.result_type},
        "provider_session": {"owner": via_session["data"]["owner"], "successful": via_session["successful"]},
        "provider_user": {"owner": via_user["data"]["owner"], "successful": via_user["successful"]},
        "tools_execute": {"owner": direct["data"]["owner"], "successful": direct["successful"]},
        "failed": {"error": failed.error, "log_id": failed.log_id, "result_type": failed.result_type},
        "failed_direct": {"error": failed_direct["error"], "successful": failed_direct["successful"]},
        "search": {"found": found, "log_id": search.log_id, "result_type": search.result_type},
        "search_meta": {"found": found_meta, "result_type": search_meta.result_type},
    }


def main():
    try:
        result = run()
    except ScenarioFailure as failure:
        print(f"SCENARIO FAILED (python tools): {failure}", file=sys.stderr, flush=True)
        return 1
    except Exception as error:  # an SDK exception is a failure of the server's wire format
        traceback.print_exc(file=sys.stderr)
        print(f"SCENARIO FAILED (python tools): {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return 1
    print("RESULT " + json.dumps(result, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
