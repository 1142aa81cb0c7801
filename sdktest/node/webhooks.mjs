// The official Composio TypeScript SDK verifies a Switchboard webhook delivery.
//
// Environment (set by internal/e2e TestOfficialSDKsVerifyWebhooks):
//   SWITCHBOARD_URL, SWITCHBOARD_API_KEY  the server and a project key
//   WEBHOOK_BODY_FILE                     the raw body the receiver got
//   WEBHOOK_ID, WEBHOOK_TIMESTAMP, WEBHOOK_SIGNATURE  its headers
//   WEBHOOK_SECRET                        the subscription's signing secret
//
// Prints RESULT <json> and exits 0 when the SDK accepts the delivery as it
// came and refuses it with one byte of the body changed and with another
// secret.

import { readFileSync } from "node:fs";
import { Composio, ConnectionExpiredEventSchema } from "@composio/core";

function env(name) {
  const value = (process.env[name] ?? "").trim();
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function refused(composio, params) {
  try {
    await composio.triggers.verifyWebhook(params);
  } catch (err) {
    return err?.name === "ComposioWebhookSignatureVerificationError" || /signature/i.test(String(err?.message));
  }
  return false;
}

const composio = new Composio({
  apiKey: env("SWITCHBOARD_API_KEY"),
  baseURL: env("SWITCHBOARD_URL"),
  allowTracking: false,
  disableVersionCheck: true,
});
const payload = readFileSync(env("WEBHOOK_BODY_FILE"), "utf8");
const params = {
  id: env("WEBHOOK_ID"),
  payload,
  secret: env("WEBHOOK_SECRET"),
  signature: env("WEBHOOK_SIGNATURE"),
  timestamp: env("WEBHOOK_TIMESTAMP"),
};
const result = await composio.triggers.verifyWebhook(params);
if (result.version !== "V3") throw new Error(`verifyWebhook read version ${result.version}, want V3`);
const tampered = payload.replace('"status":"', '"status":"X');
if (tampered === payload) throw new Error("the payload has no status to tamper with");
if (!(await refused(composio, { ...params, payload: tampered }))) throw new Error("verifyWebhook accepted a tampered payload");
if (!(await refused(composio, { ...params, secret: "whsec_not-the-secret" }))) throw new Error("verifyWebhook accepted another secret");
// An expired event also parses as the SDK's own typed expired event.
const raw = JSON.parse(payload);
if (raw.type === "composio.connected_account.expired") {
  const parsed = ConnectionExpiredEventSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`ConnectionExpiredEventSchema refused the expired event: ${parsed.error}`);
}
console.log("RESULT " + JSON.stringify({ accepted: true, tampered_refused: true, type: result.rawPayload.type }));
