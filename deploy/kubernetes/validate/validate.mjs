// Validates every manifest in deploy/kubernetes against the Kubernetes API's JSON schemas, with the models of
// the kubernetes-models package (its validate() runs ajv over the OpenAPI schemas of each kind). Prints one line
// per resource; exits 1 on the first file with an invalid resource, naming the field.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..");
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
if (files.length === 0) {
  console.error(`no manifests in ${dir}`);
  process.exit(1);
}

async function model(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  const mod = await import(path);
  if (!mod[kind]) throw new Error(`no model for ${apiVersion} ${kind}`);
  return mod[kind];
}

let failed = false;
for (const file of files) {
  const docs = parseAllDocuments(readFileSync(join(dir, file), "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      console.error(`${file}: YAML error: ${doc.errors[0].message}`);
      failed = true;
      continue;
    }
    const obj = doc.toJS();
    if (!obj) continue;
    const where = `${file}: ${obj.apiVersion} ${obj.kind} ${obj.metadata?.name}`;
    try {
      const Model = await model(obj.apiVersion, obj.kind);
      new Model(obj).validate();
      console.log(`valid   ${where}`);
    } catch (e) {
      console.error(`INVALID ${where}: ${e.message}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
