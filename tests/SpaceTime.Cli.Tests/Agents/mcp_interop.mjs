// MCP interop check with the official TypeScript SDK (a client nobody on this project wrote).
// Usage: node mcp_interop.mjs NODE_MODULES_DIR MCP_URL ADMIN_TOKEN READONLY_TOKEN
// Prints one JSON object with what it saw; exits 1 on any unexpected failure.
import { pathToFileURL } from "node:url";
import path from "node:path";

const [modules, url, adminToken, readonlyToken] = process.argv.slice(2);
const sdk = (file) => import(pathToFileURL(path.join(modules, "@modelcontextprotocol/sdk/dist/esm", file)).href);
const { Client } = await sdk("client/index.js");
const { StreamableHTTPClientTransport } = await sdk("client/streamableHttp.js");

async function connect(token) {
  const client = new Client({ name: "spacetime-interop-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

async function call(client, name, args = {}) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) {
    throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  }
  if (!result.structuredContent || !result.content?.some((c) => c.type === "text" && c.text.length > 0)) {
    throw new Error(`${name} returned no structured content or no text`);
  }
  return result.structuredContent;
}

const report = {};
const admin = await connect(adminToken);
report.server = admin.getServerVersion();
report.tools = (await admin.listTools()).tools.map((t) => t.name).sort();
report.scene_load = await call(admin, "scene_load", { scene_path: "res://vr_main.tscn" });
report.time_pause = await call(admin, "time_pause");
report.player_teleport = await call(admin, "player_teleport", { x: 6, z: -6 });
report.time_step = await call(admin, "time_step", { ticks: 90 });
report.state_hash = await call(admin, "state_hash");
report.snapshot_save = await call(admin, "snapshot_save", { name: "interop" });
await call(admin, "player_snap_turn", { direction: "left" });
report.moved = await call(admin, "time_step", { ticks: 30 });
report.snapshot_restore = await call(admin, "snapshot_restore", { id: report.snapshot_save.id });
await admin.close();

const reader = await connect(readonlyToken);
report.readonly_tools = (await reader.listTools()).tools.map((t) => t.name).sort();
const refused = await reader.callTool({ name: "node_set", arguments: { path: "VRMain/Cubes/Cube1", properties: { mass: 1.0 } } });
report.readonly_node_set = { isError: refused.isError === true, text: refused.content.map((c) => c.text).join("\n") };
await reader.close();

console.log(JSON.stringify(report));
