// Offline schema validation of the manifests in deploy/kubernetes and deploy/kserve, against the Kubernetes OpenAPI
// schemas that the kubernetes-models package carries. KServe's own kinds have no schema there: their containers are
// checked as core/v1 Containers, and their required fields by hand.
//   node deploy/validate/validate.mjs FILE...          exit 1 on the first invalid manifest
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import * as models from "kubernetes-models";
import { Container } from "kubernetes-models/v1/Container";

// "apps/v1" -> models.apps.v1, "v1" -> models.v1, "networking.k8s.io/v1" -> models.networkingK8sIo.v1.
function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const ns = group === null ? models : models[group.replace(/\.(\w)/g, (_, c) => c.toUpperCase())];
  return (group === null ? ns.v1 : ns?.[version])?.[kind];
}

function fail(where, message) {
  console.error(`${where}: ${message}`);
  process.exitCode = 1;
}

function checkKServe(where, doc) {
  const spec = doc.spec ?? {};
  if (doc.kind === "ClusterServingRuntime" || doc.kind === "ServingRuntime") {
    if (!Array.isArray(spec.supportedModelFormats) || spec.supportedModelFormats.length === 0) fail(where, "spec.supportedModelFormats is required");
    if (!Array.isArray(spec.containers) || spec.containers.length === 0) fail(where, "spec.containers is required");
    for (const c of spec.containers ?? []) new Container(c).validate();
  } else if (doc.kind === "InferenceService") {
    const model = spec.predictor?.model;
    if (!model?.modelFormat?.name) fail(where, "spec.predictor.model.modelFormat.name is required");
    if (!model?.storageUri) fail(where, "spec.predictor.model.storageUri is required");
  } else {
    fail(where, `unknown KServe kind ${doc.kind}`);
  }
}

function validate(file) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  let count = 0;
  for (const [i, parsed] of docs.entries()) {
    const where = `${file}#${i + 1}`;
    if (parsed.errors.length > 0) {
      fail(where, parsed.errors[0].message);
      continue;
    }

    const doc = parsed.toJS();
    if (doc === null) continue;
    count++;
    if (!doc.apiVersion || !doc.kind) {
      fail(where, "apiVersion and kind are required");
      continue;
    }

    try {
      if (doc.apiVersion.startsWith("serving.kserve.io/")) {
        checkKServe(where, doc);
      } else if (doc.apiVersion.startsWith("kustomize.config.k8s.io/")) {
        if (!Array.isArray(doc.resources)) fail(where, "resources is required");
      } else {
        const Model = modelFor(doc.apiVersion, doc.kind);
        if (!Model) {
          fail(where, `no schema for ${doc.apiVersion} ${doc.kind}`);
          continue;
        }
        new Model(doc).validate();
      }
    } catch (error) {
      fail(where, `${doc.kind} ${doc.metadata?.name ?? ""}: ${error.message}`);
    }
  }
  return count;
}

// The validator must be able to fail: a Deployment whose replicas is a string is rejected.
try {
  new models.apps.v1.Deployment({ metadata: { name: "x" }, spec: { replicas: "two", selector: {}, template: {} } }).validate();
  console.error("the schema validator accepted an invalid Deployment");
  process.exit(2);
} catch {
  // expected
}

let total = 0;
for (const file of process.argv.slice(2)) total += validate(file);
if (!process.exitCode) console.log(`${total} manifests valid`);
