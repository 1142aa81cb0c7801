// A project's custom toolkit through the official @composio/core SDK,
// unmodified. The Go harness (internal/e2e/customtoolkits_test.go) creates
// the toolkit "acme" with POST /api/v3.1/custom_toolkits and connects an
// API_KEY account of user_123; this script must see and run it as a
// built-in one. Environment: SWITCHBOARD_URL, SWITCHBOARD_API_KEY.
// Exit status 0 and a last line "RESULT <json>" only when every check held.
import { Composio } from "@composio/core";

function check(cond, msg) {
  if (!cond) {
    console.error(msg);
    process.exit(1);
  }
}

const composio = new Composio({
  apiKey: process.env.SWITCHBOARD_API_KEY,
  baseURL: process.env.SWITCHBOARD_URL,
  allowTracking: false,
  disableVersionCheck: true,
});

// GET /api/v3.1/toolkits/acme
const tk = await composio.toolkits.get("acme");
check(tk.slug === "acme", `toolkits.get('acme') returned slug ${tk.slug}`);
// GET /api/v3.1/tools/{slug}, POST /api/v3.1/tools/execute/{slug}
const direct = await composio.tools.execute("ACME_LIST_ITEMS", {
  userId: "user_123", arguments: { q: "c" }, dangerouslySkipVersionCheck: true,
});
check(direct.successful === true, `tools.execute('ACME_LIST_ITEMS') failed: ${JSON.stringify(direct)}`);
// POST /api/v3.1/tool_router/session, then .../execute
const session = await composio.create("user_123");
const res = await session.execute("ACME_LIST_ITEMS", { q: "d" });
check(!res.error, `session.execute('ACME_LIST_ITEMS') failed: ${JSON.stringify(res)}`);
console.log("RESULT " + JSON.stringify({ toolkit: tk.slug, direct: direct.successful, session: true }));
