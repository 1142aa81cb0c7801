// Tool listing and execution through the official Composio TypeScript SDK
// (@composio/core 0.19.0, pinned in package.json / package-lock.json) against a Switchboard server.
//
// Environment:
//   SWITCHBOARD_URL      base URL of the server (e.g. http://127.0.0.1:8080)
//   SWITCHBOARD_API_KEY  a project API key (sent as x-api-key)
//   EXPECTED_EMAIL       the email address of the identity that consents (GMAIL_GET_PROFILE's emailAddress)
//   EXPECTED_LOGIN       its login at the provider (the test upstream echoes it as data.owner)
//
// Stdout protocol (one line per write; read by the Go harness):
//   AUTHORIZE work <redirect_url>      printed before waiting for the consent
//   RESULT <json>                      the last line, only when every assertion held
// Any other stdout line is informational.
// Exit status 0 only when every assertion held; otherwise a message on stderr and exit 1.
//
// Execution paths exercised (see NOTES.md for what each sends on the wire):
//   1. session.tools()                                   GET  .../tool_router/session/{id}/tools?limit=500
//   2. session.execute(slug, args)                       POST .../tool_router/session/{id}/execute
//   3. composio.provider.handleToolCalls(session, completion)
//                                                         POST .../tool_router/session/{id}/execute
//   4. composio.provider.handleToolCalls("user_123", completion)
//                                                         GET  /api/v3.1/tools/{slug}?toolkit_versions=latest
//                                                         POST /api/v3.1/tools/execute/{slug}
//   5. session.execute("GMAIL_SEND_EMAIL", {subject})    a tool error (HTTP 200, error set), not an exception
//   6. composio.tools.execute("GMAIL_SEND_EMAIL", {userId, arguments:{subject}, dangerouslySkipVersionCheck:true})
//                                                         GET /api/v3.1/tools/{slug}?toolkit_versions=latest, POST
//                                                         /api/v3.1/tools/execute/{slug}: {successful:false, error}

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

function show(value) {
  const s = JSON.stringify(value);
  return s && s.length > 600 ? `${s.slice(0, 600)}…` : s;
}

// Runs an SDK call; an exception from it is reported as the server's fault with the call named.
async function sdkCall(what, fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ScenarioFailure) throw err;
    // A ZodError's message is its issues as indented JSON: show the issues on one line instead.
    const describe = (e) =>
      `${e?.constructor?.name ?? "Error"}: ${Array.isArray(e?.issues) ? `response failed validation ${show(e.issues)}` : String(e?.message ?? e).replace(/\s*\n\s*/g, " ")}`;
    let detail = describe(err);
    if (typeof err?.status === "number") detail += ` (HTTP ${err.status}, body ${show(err.error)})`;
    if (err?.cause) detail += `; cause: ${describe(err.cause)}`;
    process.stderr.write(`${err?.stack ?? err}\n`);
    throw new ScenarioFailure(`${what} threw instead of returning: ${detail}`);
  }
}

// A chat completion as OpenAI would return it when the model calls one tool.
function completionCalling(name, args) {
  return {
    id: "chatcmpl_switchboard",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: "gpt-test",
    choices: [
      {
        index: 0,
        finish_reason: "tool_calls",
        logprobs: null,
        message: {
          role: "assistant",
          content: null,
          refusal: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name, arguments: JSON.stringify(args) } }],
        },
      },
    ],
  };
}

// handleToolCalls returns [{role:"tool", tool_call_id, content}] where content is the JSON of
// the SDK's execute result ({data, error, successful, logId, ...}).
function toolOutput(what, outputs) {
  check(Array.isArray(outputs) && outputs.length === 1, `${what} returned ${show(outputs)}; want one tool message`);
  const [message] = outputs;
  check(message.role === "tool" && message.tool_call_id === "call_1", `${what} returned ${show(message)}; want a tool message for call_1`);
  let result;
  try {
    result = JSON.parse(message.content);
  } catch {
    throw new ScenarioFailure(`${what} returned non-JSON content ${show(message.content)}`);
  }
  return result;
}

function checkProfile(what, result, email, login) {
  check(result && typeof result === "object", `${what} returned ${show(result)}`);
  check(result.error === null || result.error === undefined, `${what} returned error ${show(result.error)}`);
  check(result.data && typeof result.data === "object", `${what} returned no data object: ${show(result)}`);
  check(result.data.emailAddress === email, `${what}: data.emailAddress is ${show(result.data.emailAddress)}, want ${email}`);
  check(result.data.owner === login, `${what}: the upstream saw the token of ${show(result.data.owner)}, want ${login}`);
}

async function run() {
  const expectedEmail = env("EXPECTED_EMAIL");
  const expectedLogin = env("EXPECTED_LOGIN");
  const composio = new Composio({
    apiKey: env("SWITCHBOARD_API_KEY"),
    baseURL: env("SWITCHBOARD_URL"),
    allowTracking: false,
    disableVersionCheck: true,
  });

  const session = await sdkCall("composio.create('user_123')", () => composio.create("user_123"));
  check(session.sessionId, "composio.create returned a session without session_id");
  const auth = await sdkCall("session.authorize('gmail')", () => session.authorize("gmail"));
  check(auth.id, "session.authorize('gmail') returned no connected_account_id");
  check(/^https?:\/\//.test(auth.redirectUrl ?? ""), `session.authorize('gmail') returned no absolute redirect_url: ${show(auth.redirectUrl)}`);
  console.log(`AUTHORIZE work ${auth.redirectUrl}`);
  const connection = await sdkCall("waitForConnection()", () => auth.waitForConnection());
  check(connection.id === auth.id, `connection id ${connection.id} != authorize id ${auth.id}`);
  check(connection.status === "ACTIVE", `connection status ${connection.status}, want ACTIVE`);
  console.log(`Connected: ${connection.id}`);

  // --- session.tools(): OpenAI function tools ---
  const tools = await sdkCall("session.tools()", () => session.tools());
  check(Array.isArray(tools), `session.tools() returned ${show(tools)}; want an array`);
  const byName = new Map();
  for (const tool of tools) {
    check(
      tool?.type === "function" && typeof tool.function?.name === "string",
      `session.tools() item is not an OpenAI function tool: ${show(tool)}`,
    );
    byName.set(tool.function.name, tool);
  }
  for (const slug of ["GMAIL_GET_PROFILE", "GMAIL_SEND_EMAIL"]) {
    const tool = byName.get(slug);
    check(tool, `session.tools() lacks ${slug}; got ${show([...byName.keys()])}`);
    check(typeof tool.function.description === "string" && tool.function.description, `${slug} has no description: ${show(tool)}`);
    check(tool.function.parameters?.type === "object", `${slug} parameters are not an object schema: ${show(tool.function.parameters)}`);
  }
  const sendParams = byName.get("GMAIL_SEND_EMAIL").function.parameters;
  console.log(`session.tools(): ${tools.length} tools`);

  // --- session.execute ---
  const profile = await sdkCall("session.execute('GMAIL_GET_PROFILE', {})", () => session.execute("GMAIL_GET_PROFILE", {}));
  checkProfile("session.execute('GMAIL_GET_PROFILE', {})", profile, expectedEmail, expectedLogin);
  check(typeof profile.logId === "string" && profile.logId, `session.execute returned no logId: ${show(profile)}`);
  console.log(`GMAIL_GET_PROFILE: ${profile.data.emailAddress} (log ${profile.logId})`);

  const sent = await sdkCall("session.execute('GMAIL_SEND_EMAIL', …)", () =>
    session.execute("GMAIL_SEND_EMAIL", { recipient_email: "bob@example.com", subject: "Hello from the SDK", body: "Sent through Switchboard" }),
  );
  check(sent.error === null, `GMAIL_SEND_EMAIL returned error ${show(sent.error)}`);
  check(sent.data && typeof sent.data === "object", `GMAIL_SEND_EMAIL returned no data object: ${show(sent)}`);
  check(sent.data.owner === undefined || sent.data.owner === expectedLogin, `GMAIL_SEND_EMAIL went out with the token of ${show(sent.data.owner)}, want ${expectedLogin}`);
  console.log(`GMAIL_SEND_EMAIL: ${show(sent.data)}`);

  // --- a tool call from the model, run by the default OpenAI provider's helper ---
  const call = completionCalling("GMAIL_GET_PROFILE", {});
  // (a) bound to the session that produced the tools: session execute
  const viaSession = toolOutput(
    "composio.provider.handleToolCalls(session, completion)",
    await sdkCall("composio.provider.handleToolCalls(session, completion)", () => composio.provider.handleToolCalls(session, call)),
  );
  checkProfile("composio.provider.handleToolCalls(session, completion)", viaSession, expectedEmail, expectedLogin);
  check(viaSession.successful === true, `handleToolCalls(session, …) result is not successful: ${show(viaSession)}`);
  // (b) by user id: the direct tools API (GET /tools/{slug}, POST /tools/execute/{slug})
  const viaUser = toolOutput(
    "composio.provider.handleToolCalls('user_123', completion)",
    await sdkCall("composio.provider.handleToolCalls('user_123', completion)", () => composio.provider.handleToolCalls("user_123", call)),
  );
  checkProfile("composio.provider.handleToolCalls('user_123', completion)", viaUser, expectedEmail, expectedLogin);
  check(viaUser.successful === true, `handleToolCalls('user_123', …) result is not successful: ${show(viaUser)}`);
  console.log(`provider helper: session ${viaSession.data.owner}, user ${viaUser.data.owner}`);

  // --- a failing call is the tool's error, not an exception ---
  const failed = await sdkCall("session.execute('GMAIL_SEND_EMAIL', {subject:'x'})", () => session.execute("GMAIL_SEND_EMAIL", { subject: "x" }));
  check(typeof failed.error === "string" && failed.error, `GMAIL_SEND_EMAIL without recipient_email returned no error: ${show(failed)}`);
  check(failed.error.includes("recipient_email"), `the error for a missing recipient does not mention recipient_email: ${show(failed.error)}`);
  check(failed.data && typeof failed.data === "object", `the failed call returned no data object: ${show(failed)}`);
  console.log(`missing recipient: ${failed.error}`);

  // --- the same failure through the direct tools API: {successful:false, error}, not an exception ---
  const failedDirect = await sdkCall("composio.tools.execute('GMAIL_SEND_EMAIL', {userId, arguments:{subject:'x'}})", () =>
    composio.tools.execute("GMAIL_SEND_EMAIL", { userId: "user_123", arguments: { subject: "x" }, dangerouslySkipVersionCheck: true }),
  );
  check(failedDirect.successful === false, `composio.tools.execute without recipient_email is not unsuccessful: ${show(failedDirect)}`);
  check(
    typeof failedDirect.error === "string" && failedDirect.error.includes("recipient_email"),
    `composio.tools.execute without recipient_email: error ${show(failedDirect.error)} does not mention recipient_email`,
  );

  return {
    sdk: "node",
    composio_core: installedVersion("@composio/core"),
    composio_client: installedVersion("@composio/client"),
    session_id: session.sessionId,
    account: connection.id,
    tools: tools.length,
    send_email_required: sendParams.required ?? [],
    profile: { emailAddress: profile.data.emailAddress, owner: profile.data.owner, log_id: profile.logId },
    send: { error: sent.error, log_id: sent.logId },
    provider_session: { owner: viaSession.data.owner, successful: viaSession.successful, log_id: viaSession.logId },
    provider_user: { owner: viaUser.data.owner, successful: viaUser.successful, log_id: viaUser.logId },
    failed: { error: failed.error, log_id: failed.logId },
    failed_direct: { error: failedDirect.error, successful: failedDirect.successful, log_id: failedDirect.logId },
  };
}

let result;
try {
  result = await run();
} catch (err) {
  if (err instanceof ScenarioFailure) {
    process.stderr.write(`SCENARIO FAILED (node tools): ${err.message}\n`);
  } else {
    process.stderr.write(`${err?.stack ?? err}\n`);
    if (err?.cause) process.stderr.write(`cause: ${err.cause?.stack ?? err.cause}\n`);
    process.stderr.write(`SCENARIO FAILED (node tools): ${err?.constructor?.name ?? "Error"}: ${err?.message ?? err}\n`);
  }
}
if (result) console.log(`RESULT ${JSON.stringify(result)}`);
// Exit explicitly: keep-alive sockets must not hold the process open.
process.exit(result ? 0 : 1);
