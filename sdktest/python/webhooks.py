#!/usr/bin/env python3
"""The official Composio Python SDK verifies a Switchboard webhook delivery.

Environment (set by internal/e2e TestOfficialSDKsVerifyWebhooks):
  SWITCHBOARD_URL, SWITCHBOARD_API_KEY  the server and a project admin key
  WEBHOOK_BODY_FILE                     the raw body the receiver got
  WEBHOOK_ID, WEBHOOK_TIMESTAMP, WEBHOOK_SIGNATURE  its headers
  WEBHOOK_SECRET                        the subscription's signing secret
  WEBHOOK_SUBSCRIPTION_ID               the subscription

Prints RESULT <json> and exits 0 when the SDK accepts the delivery as it
came, refuses it with one byte of the body changed and with another secret,
and reads the subscription and the event types through its own client.
"""

import json
import os
import sys

from composio import Composio, exceptions


def env(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise SystemExit(f"{name} is not set")
    return value


def refused(composio, **kwargs):
    try:
        composio.triggers.verify_webhook(**kwargs)
    except exceptions.WebhookSignatureVerificationError:
        return True
    return False


def main():
    composio = Composio(api_key=env("SWITCHBOARD_API_KEY"), base_url=env("SWITCHBOARD_URL"), allow_tracking=False, timeout=30)
    with open(env("WEBHOOK_BODY_FILE"), encoding="utf-8") as f:
        payload = f.read()
    args = dict(
        id=env("WEBHOOK_ID"),
        payload=payload,
        secret=env("WEBHOOK_SECRET"),
        signature=env("WEBHOOK_SIGNATURE"),
        timestamp=env("WEBHOOK_TIMESTAMP"),
    )
    result = composio.triggers.verify_webhook(**args)
    if result["version"] != "V3":
        raise SystemExit(f"verify_webhook read version {result['version']}, want V3")
    tampered = payload.replace('"status":"', '"status":"X', 1)
    if tampered == payload:
        raise SystemExit("the payload has no status to tamper with")
    if not refused(composio, **{**args, "payload": tampered}):
        raise SystemExit("verify_webhook accepted a tampered payload")
    if not refused(composio, **{**args, "secret": "whsec_not-the-secret"}):
        raise SystemExit("verify_webhook accepted another secret")

    sub = composio.webhooks.subscriptions.get(env("WEBHOOK_SUBSCRIPTION_ID"))
    if sub.id != env("WEBHOOK_SUBSCRIPTION_ID") or sub.version != "V3" or not sub.enabled_events:
        raise SystemExit(f"subscriptions.get: got {sub!r}")
    types = [t.event_type for t in composio.webhooks.subscriptions.list_event_types().items]
    if "composio.connected_account.expired" not in types:
        raise SystemExit(f"list_event_types: got {types}")
    print("RESULT " + json.dumps({"accepted": True, "tampered_refused": True, "type": result["raw_payload"]["type"]}))


if __name__ == "__main__":
    main()
