// Accounts that know who they are (issue 15), run with the official Composio TypeScript SDK
// (@composio/core, pinned in package.json / package-lock.json, unmodified) against a Switchboard
// server: the node twin of sdktest/python/identity.py.
//
// Reconnecting the same upstream identity supersedes the older account; a session pinned to it
// moves to the new one; a chosen default (Switchboard's own route, which the SDK does not know,
// so it is called with fetch) wins over recency; the same identity under another user id is
// reported on the account. Switchboard's own account fields (identity, superseded_by,
// identity_shared_with_user_ids, health) are not in the SDK's types, so they are read with fetch
// as well; everything Composio's wire has goes through the SDK.
//
// Environment and stdout protocol as scenario.mjs: AUTHORIZE <identity> <url> lines are completed
// by the Go harness, RESULT <json> is the last line when every assertion held.

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

// raw calls the server without the SDK, for Switchboard's own fields and routes.
async function raw(method, path, body) {
  const resp = await fetch(env("SWITCHBOARD_URL") + path, {
    method,
    headers: { "x-api-key": env("SWITCHBOARD_API_KEY"), "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  check(resp.ok, `${method} ${path}: HTTP ${resp.status} ${text}`);
  return JSON.parse(text);
}

async function connect(session, who) {
  const auth = await session.authorize("gmail");
  console.log(`AUTHORIZE ${who} ${auth.redirectUrl}`);
  const connection = await auth.waitForConnection();
  check(connection.status === "ACTIVE", `${who} connection status ${connection.status}, want ACTIVE`);
  return connection.id;
}

// active is the session's gmail account, from the session's toolkit listing.
async function active(session) {
  const toolkits = await session.toolkits();
  for (const toolkit of toolkits.items) {
    if (toolkit.slug === "gmail" && toolkit.connection.connectedAccount) {
      return toolkit.connection.connectedAccount.id;
    }
  }
  return null;
}

async function activeIDs(composio, userId) {
  const listed = await composio.connectedAccounts.list({ userIds: [userId], toolkitSlugs: ["gmail"], statuses: ["ACTIVE"] });
  return listed.items.map((item) => item.id).sort();
}

async function run() {
  const composio = new Composio({
    apiKey: env("SWITCHBOARD_API_KEY"),
    baseURL: env("SWITCHBOARD_URL"),
    allowTracking: false,
    disableVersionCheck: true,
  });
  const session = await composio.create("user_1");
  const first = await connect(session, "work");
  const pinned = await composio.create("user_1", { connectedAccounts: { gmail: first } });
  check((await active(pinned)) === first, `pinned session shows ${await active(pinned)}, want ${first}`);
  const firstRaw = await raw("GET", `/api/v3.1/connected_accounts/${first}`);
  check(firstRaw.identity && firstRaw.identity_id, `the first account records no identity: ${JSON.stringify(firstRaw)}`);

  // --- Reconnecting the same identity supersedes the older account ---
  const second = await connect(session, "work");
  check(second !== first, "the reconnection returned the same account id");
  const old = await composio.connectedAccounts.get(first);
  check(old.status === "INACTIVE", `the superseded account is ${old.status}, want INACTIVE`);
  const oldRaw = await raw("GET", `/api/v3.1/connected_accounts/${first}`);
  check(oldRaw.status_reason === `superseded by ${second}`, `the superseded account's reason is ${JSON.stringify(oldRaw.status_reason)}`);
  check(oldRaw.superseded_by === second, `superseded_by is ${JSON.stringify(oldRaw.superseded_by)}, want ${second}`);
  const secondRaw = await raw("GET", `/api/v3.1/connected_accounts/${second}`);
  check(secondRaw.identity_id === firstRaw.identity_id, `the reconnection is ${secondRaw.identity_id}, want ${firstRaw.identity_id}`);
  const afterSupersede = await activeIDs(composio, "user_1");
  check(JSON.stringify(afterSupersede) === JSON.stringify([second]), `ACTIVE gmail accounts of user_1: ${afterSupersede}, want only ${second}`);
  check((await active(pinned)) === second, `the session pinned to the superseded account shows ${await active(pinned)}, want ${second}`);

  // --- Another identity is another account; recency picks it, a chosen default wins ---
  const personal = await connect(session, "personal");
  check((await active(session)) === personal, `unpinned session shows ${await active(session)}, want the most recent ${personal}`);
  const marked = await raw("PATCH", `/api/v3.1/connected_accounts/${second}/default`, { is_default: true });
  check(marked.is_default === true, `PATCH .../default answered ${JSON.stringify(marked)}`);
  check((await active(session)) === second, `after choosing ${second} as default the session shows ${await active(session)}`);
  const fresh = await composio.create("user_1");
  check((await active(fresh)) === second, `a new session shows ${await active(fresh)}, want the default ${second}`);
  const both = await activeIDs(composio, "user_1");
  check(JSON.stringify(both) === JSON.stringify([second, personal].sort()), `ACTIVE accounts after connecting personal: ${both}`);
  // Clearing the default gives recency back.
  const cleared = await raw("PATCH", `/api/v3.1/connected_accounts/${second}/default`, { is_default: false });
  check(cleared.is_default === false, `PATCH .../default false answered ${JSON.stringify(cleared)}`);
  check((await active(session)) === personal, `after clearing the default the session shows ${await active(session)}, want ${personal}`);

  // --- The same identity under another user id is reported, never merged ---
  const otherSession = await composio.create("user_2");
  const other = await connect(otherSession, "work");
  const still = await composio.connectedAccounts.get(second);
  check(still.status === "ACTIVE", `user_1's account became ${still.status} when user_2 connected the same identity`);
  const mine = await raw("GET", `/api/v3.1/connected_accounts/${second}`);
  const theirs = await raw("GET", `/api/v3.1/connected_accounts/${other}`);
  check(JSON.stringify(mine.identity_shared_with_user_ids) === JSON.stringify(["user_2"]), `user_1's account reports ${JSON.stringify(mine.identity_shared_with_user_ids)}`);
  check(JSON.stringify(theirs.identity_shared_with_user_ids) === JSON.stringify(["user_1"]), `user_2's account reports ${JSON.stringify(theirs.identity_shared_with_user_ids)}`);
  check(mine.identity && mine.identity === theirs.identity, `identities differ: ${mine.identity}, ${theirs.identity}`);
  check(mine.health?.status === "ok", `health of a just-connected account: ${JSON.stringify(mine.health)}`);

  return { sdk: "node", first, second, personal, other, identity: mine.identity };
}

let result = null;
try {
  result = await run();
} catch (err) {
  if (err instanceof ScenarioFailure) {
    process.stderr.write(`SCENARIO FAILED (node): ${err.message}\n`);
  } else {
    process.stderr.write(`${err?.stack ?? err}\n`);
    if (err?.cause) process.stderr.write(`cause: ${err.cause?.stack ?? err.cause}\n`);
    process.stderr.write(`SCENARIO FAILED (node): ${err?.constructor?.name ?? "Error"}: ${err?.message ?? err}\n`);
  }
}
if (result) console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(result ? 0 : 1);
