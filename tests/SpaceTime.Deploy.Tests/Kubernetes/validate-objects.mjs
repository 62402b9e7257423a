// Validates every Kubernetes object of a multi-document YAML stream (stdin) against the schema of its
// apiVersion/kind with npm kubernetes-models. Usage: node validate-objects.mjs TOOLS_NODE_MODULES < objects.yaml
// Prints one line per object; exits 1 when any object is invalid or of a kind the models do not know.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const { parseAllDocuments } = await import(pathToFileURL(join(modules, "yaml", "dist", "index.js")).href);
let failed = 0;
for (const doc of parseAllDocuments(readFileSync(0, "utf8"))) {
  if (doc.errors.length > 0) {
    console.log(`INVALID yaml: ${doc.errors[0].message}`);
    failed++;
    continue;
  }
  const obj = doc.toJS();
  if (obj === null) continue;
  const id = `${obj.apiVersion}/${obj.kind} ${obj.metadata?.name}`;
  const file = join(modules, "kubernetes-models", ...String(obj.apiVersion).split("/"), `${obj.kind}.js`);
  if (!existsSync(file)) {
    console.log(`UNKNOWN ${id}: kubernetes-models has no ${obj.apiVersion} ${obj.kind}`);
    failed++;
    continue;
  }
  const model = (await import(pathToFileURL(file).href))[obj.kind];
  try {
    new model(obj).validate();
    console.log(`OK ${id}`);
  } catch (e) {
    console.log(`INVALID ${id}: ${e.message}`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
