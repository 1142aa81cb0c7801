// The seed's multi-account calls, run as written by the official Composio TypeScript SDK
// (@composio/core 0.19.0, pinned in package.json / package-lock.json) against a Switchboard server.
//
// Environment:
//   SWITCHBOARD_URL      base URL of the server (e.g. http://127.0.0.1:8080)
//   SWITCHBOARD_API_KEY  a project API key (sent as x-api-key)
//
// Stdout protocol (one line per write; read by the Go harness):
//   AUTHORIZE work <redirect_url>      printed before waiting for the first consent
//   AUTHORIZE personal <redirect_url>  printed before waiting for the second consent
//   RESULT <json>                      the last line, only when every assertion held
// Any other stdout line is informational (the seed's own prints).
// Exit status 0 only when every assertion held; otherwise a message on stderr and exit 1.

import { readFileSync } from "node:fs";
import { Composio } from "@composio/core";

class ScenarioFailure extends Error {}

function check(condition, message) {
  if (!condition) throw new ScenarioFailure(message);
}

function env(name) {
  const value = (process.env[name] ?? "").trim();
  check(value, `environment variable ${name} is not set`);
  return value;
}

function installedVersion(name) {
  try {
    return JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), "utf8")).version;
  } catch {
    return "unknown";
  }
}

function isAbsoluteURL(value) {
  return typeof value === "string" && /^https?:\/\//.test(value);
}

// The seed's "Viewing session's active account" loop; returns {toolkit slug: account id}.
async function activeAccounts(session) {
  const found = {};
  const toolkits = await session.toolkits();
  for (const toolkit of toolkits.items) {
    if (toolkit.connection.connectedAccount) {
      console.log(`${toolkit.name}: ${toolkit.connection.connectedAccount.id}`);
      found[toolkit.slug] = toolkit.connection.connectedAccount.id;
    }
  }
  return found;
}

async function run() {
  const composio = new Composio({
    apiKey: env("SWITCHBOARD_API_KEY"),
    baseURL: env("SWITCHBOARD_URL"),
    allowTracking: false,
    disableVersionCheck: true,
  });

  // --- Connecting multiple accounts (seed, as written) ---
  const session = await composio.create("user_123");
  check(session.sessionId, "composio.create returned a session without session_id");
  // Connect first account (work)
  const workAuth = await session.authorize("gmail");
  check(workAuth.id, "session.authorize('gmail') returned no connected_account_id");
  check(isAbsoluteURL(workAuth.redirectUrl), `session.authorize('gmail') returned no absolute redirect_url: ${JSON.stringify(workAuth.redirectUrl)}`);
  console.log(`Connect work Gmail: ${workAuth.redirectUrl}`);
  console.log(`AUTHORIZE work ${workAuth.redirectUrl}`);
  const workConnection = await workAuth.waitForConnection();
  console.log(`Work account connected: ${workConnection.id}`);
  check(workConnection.id === workAuth.id, `work connection id ${workConnection.id} != authorize id ${workAuth.id}`);
  check(workConnection.status === "ACTIVE", `work connection status ${workConnection.status}, want ACTIVE`);

  // Connect second account (personal)
  const personalAuth = await session.authorize("gmail");
  check(personalAuth.id, "second session.authorize('gmail') returned no connected_account_id");
  check(isAbsoluteURL(personalAuth.redirectUrl), `second session.authorize('gmail') returned no absolute redirect_url: ${JSON.stringify(personalAuth.redirectUrl)}`);
  console.log(`Connect personal Gmail: ${personalAuth.redirectUrl}`);
  console.log(`AUTHORIZE personal ${personalAuth.redirectUrl}`);
  const personalConnection = await personalAuth.waitForConnection();
  console.log(`Personal account connected: ${personalConnection.id}`);
  check(personalConnection.id === personalAuth.id, `personal connection id ${personalConnection.id} != authorize id ${personalAuth.id}`);
  check(personalConnection.status === "ACTIVE", `personal connection status ${personalConnection.status}, want ACTIVE`);
  check(personalConnection.id !== workConnection.id, `both authorizations returned the same account ${workConnection.id}`);

  // --- Viewing session's active account: the most recent one by default ---
  const defaultActive = (await activeAccounts(session)).gmail;
  check(
    defaultActive === personalConnection.id,
    `session.toolkits() shows gmail account ${defaultActive}; want the most recent (personal) ${personalConnection.id}`,
  );

  // --- Selecting a specific account for a session (seed, as written) ---
  // This session will use a specific Gmail account
  const pinnedSession = await composio.create("user_123", {
    connectedAccounts: {
      gmail: workConnection.id, // Connected account ID
    },
  });
  const pinnedWork = (await activeAccounts(pinnedSession)).gmail;
  check(pinnedWork === workConnection.id, `session pinned to work shows gmail account ${pinnedWork}; want ${workConnection.id}`);

  // To switch accounts, create a new session with a different account ID
  const session2 = await composio.create("user_123", {
    connectedAccounts: {
      gmail: personalConnection.id, // Different account
    },
  });
  const pinnedPersonal = (await activeAccounts(session2)).gmail;
  check(pinnedPersonal === personalConnection.id, `session pinned to personal shows gmail account ${pinnedPersonal}; want ${personalConnection.id}`);

  // --- Pinning another user's account must be refused with a 400 ---
  let foreign = null;
  try {
    await composio.create("user_456", {
      connectedAccounts: {
        gmail: workConnection.id,
      },
    });
  } catch (err) {
    if (typeof err?.status !== "number") throw err; // not an HTTP status error: report as is
    foreign = { status: err.status, class: err.constructor?.name, message: String(err.message) };
  }
  check(foreign !== null, "pinning user_123's account for user_456 created a session; want HTTP 400");
  check(foreign.status === 400, `foreign pin failed with HTTP ${foreign.status} (${foreign.class}: ${foreign.message}); want 400`);
  check(
    foreign.message.includes(workConnection.id),
    `the 400 for a foreign pin does not name the account ${workConnection.id}: ${JSON.stringify(foreign.message)}`,
  );
  console.log(`Foreign pin refused: ${foreign.message}`);

  // --- Listing all user accounts ---
  const listed = await composio.connectedAccounts.list({ userIds: ["user_123"], toolkitSlugs: ["gmail"] });
  check(Array.isArray(listed?.items), `connectedAccounts.list returned no items array: ${JSON.stringify(listed)}`);
  const byId = new Map(listed.items.map((item) => [item.id, item]));
  for (const [label, id] of [["work", workConnection.id], ["personal", personalConnection.id]]) {
    check(byId.has(id), `connectedAccounts.list({ userIds: ["user_123"], toolkitSlugs: ["gmail"] }) lacks the ${label} account ${id}`);
    check(byId.get(id).status === "ACTIVE", `listed ${label} account ${id} has status ${byId.get(id).status}, want ACTIVE`);
  }
  for (const item of listed.items) console.log(`Listed: ${item.id} ${item.status}`);

  return {
    sdk: "node",
    composio_core: installedVersion("@composio/core"),
    composio_client: installedVersion("@composio/client"),
    session_id: session2.sessionId,
    work: workConnection.id,
    personal: personalConnection.id,
    default_active: defaultActive,
    pinned_work: pinnedWork,
    pinned_personal: pinnedPersonal,
    foreign_pin: foreign,
    listed: [...byId.keys()].sort(),
  };
}

let result;
try {
  result = await run();
} catch (err) {
  if (err instanceof ScenarioFailure) {
    process.stderr.write(`SCENARIO FAILED (node): ${err.message}\n`);
  } else {
    // an SDK exception is a failure of the server's wire format: show all of it
    process.stderr.write(`${err?.stack ?? err}\n`);
    if (err?.cause) process.stderr.write(`cause: ${err.cause?.stack ?? err.cause}\n`);
    process.stderr.write(`SCENARIO FAILED (node): ${err?.constructor?.name ?? "Error"}: ${err?.message ?? err}\n`);
  }
}
if (result) console.log(`RESULT ${JSON.stringify(result)}`);
// Exit explicitly: keep-alive sockets must not hold the process open. Writes to a pipe are synchronous on Linux.
process.exit(result ? 0 : 1);
