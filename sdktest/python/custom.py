#!/usr/bin/env python3
"""A project's custom toolkit through the official Composio Python SDK
(composio==0.30.0, see requirements.txt), unmodified.

The Go harness (internal/e2e/customtoolkits_test.go) creates the toolkit
"acme" with POST /api/v3.1/custom_toolkits and connects an API_KEY account
of user_123; this script must then see and run it as a built-in one.

Environment: SWITCHBOARD_URL, SWITCHBOARD_API_KEY.
Exit status 0 and a last line "RESULT <json>" only when every assertion held.
"""

import json
import os
import sys

from composio import Composio


def check(cond, msg):
    if not cond:
        print(msg, file=sys.stderr)
        sys.exit(1)


def main():
    composio = Composio(
        api_key=os.environ["SWITCHBOARD_API_KEY"],
        base_url=os.environ["SWITCHBOARD_URL"],
        allow_tracking=False,
        timeout=30,
    )
    # GET /api/v3.1/toolkits/acme and GET /api/v3.1/toolkits
    tk = composio.toolkits.get("acme")
    check(tk.slug == "acme", f"toolkits.get('acme') returned slug {tk.slug!r}")
    slugs = [t.slug for t in composio.toolkits.get()]
    check("acme" in slugs, f"toolkits.get() does not list acme: {slugs}")
    # GET /api/v3.1/tools/{slug}, POST /api/v3.1/tools/execute/{slug}
    direct = composio.tools.execute(
        "ACME_LIST_ITEMS", arguments={"q": "a"}, user_id="user_123", dangerously_skip_version_check=True
    )
    check(direct.get("successful") is True, f"tools.execute('ACME_LIST_ITEMS') failed: {direct}")
    # POST /api/v3.1/tool_router/session, then .../execute
    session = composio.create(user_id="user_123")
    res = session.execute("ACME_LIST_ITEMS", arguments={"q": "b"})
    check(getattr(res, "error", None) in (None, ""), f"session.execute('ACME_LIST_ITEMS') failed: {res}")
    print("RESULT " + json.dumps({"toolkit": tk.slug, "direct": direct.get("successful"), "session": True}))


if __name__ == "__main__":
    main()
