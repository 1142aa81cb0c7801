// The official MCP TypeScript client (@modelcontextprotocol/sdk) against a
// Switchboard session's MCP endpoint, as an agent host would use it: connect
// over Streamable HTTP with the x-api-key header (the header the Composio
// SDKs attach to session.mcp), list the tools, search, and run a tool.
//
// Env: SWITCHBOARD_MCP_URL (the session's mcp.url), SWITCHBOARD_API_KEY.
// The session's user must have a connected gmail account. Prints one line
// "RESULT <json>"; exits 1 with "MCP CLIENT FAILED (node): ..." on stderr
// when an assertion fails.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { readFileSync } from "node:fs";

const url = process.env.SWITCHBOARD_MCP_URL;
const key = process.env.SWITCHBOARD_API_KEY;

function fail(msg) {
  console.error("MCP CLIENT FAILED (node): " + msg);
  process.exit(1);
}

async function connect(apiKey) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { "x-api-key": apiKey } },
  });
  const client = new Client({ name: "switchboard-sdktest", version: "0.0.0" });
  await client.connect(transport);
  return client;
}

function structured(res, name) {
  if (!res.structuredContent || typeof res.structuredContent !== "object") {
    fail(`${name}: no structured content: ${JSON.stringify(res)}`);
  }
  if (!Array.isArray(res.content) || res.content.length === 0 || res.content[0].type !== "text") {
    fail(`${name}: no text content: ${JSON.stringify(res)}`);
  }
  return res.structuredContent;
}

async function main() {
  if (!url || !key) fail("set SWITCHBOARD_MCP_URL and SWITCHBOARD_API_KEY");
  const sdkVersion = JSON.parse(
    readFileSync(new URL("./node_modules/@modelcontextprotocol/sdk/package.json", import.meta.url)),
  ).version;

  const client = await connect(key);
  const server = client.getServerVersion();
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const t of tools) {
    if (!t.description || t.inputSchema?.type !== "object") fail(`tool ${t.name} lacks a description or an object schema`);
  }

  const search = await client.callTool({
    name: "COMPOSIO_SEARCH_TOOLS",
    arguments: { queries: [{ use_case: "read the user's gmail profile" }] },
  });
  const found = structured(search, "search");
  const slugs = [...(found.results?.[0]?.primary_tool_slugs ?? []), ...(found.results?.[0]?.related_tool_slugs ?? [])];
  const gmail = (found.toolkit_connection_statuses ?? []).find((s) => s.toolkit === "gmail");

  const exec = await client.callTool({
    name: "COMPOSIO_MULTI_EXECUTE_TOOL",
    arguments: { tools: [{ tool_slug: "GMAIL_GET_PROFILE", arguments: {} }] },
  });
  const ran = structured(exec, "multi-execute");
  if (exec.isError) fail("multi-execute failed: " + JSON.stringify(exec.content));
  const first = ran.results?.[0] ?? {};

  const unknown = await client
    .callTool({ name: "NOPE_TOOL", arguments: {} })
    .then((r) => (r.isError ? "tool error: " + JSON.stringify(r.content) : "no error"))
    .catch((e) => String(e?.message ?? e));
  await client.close();

  // A wrong key is refused before any session is created.
  let badKeyError = "";
  try {
    const c = await connect("sb_wrong_0123456789abcdefghij");
    await c.close();
  } catch (e) {
    badKeyError = String(e?.message ?? e);
  }
  if (!badKeyError) fail("a wrong key connected");

  console.log(
    "RESULT " +
      JSON.stringify({
        sdk: "@modelcontextprotocol/sdk",
        sdk_version: sdkVersion,
        server: server?.name,
        tools: names,
        search_error: Boolean(search.isError),
        search_found: slugs.includes("GMAIL_GET_PROFILE"),
        gmail_connected: Boolean(gmail?.has_active_connection),
        owner: first.data?.owner,
        account: first.connected_account_id,
        unknown_tool: unknown,
        bad_key_error: badKeyError,
      }),
  );
}

main().then(
  () => process.exit(0),
  (e) => fail(e?.stack ?? String(e)),
);
