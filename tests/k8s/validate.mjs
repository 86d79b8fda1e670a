// validate.mjs: checks Kubernetes manifests against the Kubernetes API schema, offline.
//     node tests/k8s/validate.mjs FILE.yaml...      (- reads standard input)
// Every YAML document of every file is checked against the OpenAPI schema of its
// apiVersion/kind (the package kubernetes-models, generated from Kubernetes' own OpenAPI
// spec: see package.json for the version), and strictly: a field the schema does not know
// is an error, as the API server's strict field validation (kubectl's default) makes it.
// Prints one line per document, "ok FILE: Kind/name" or "FILE: Kind/name: what is wrong";
// exits 1 if any document is wrong, 2 on a file that cannot be read or parsed.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// The model class of apiVersion/kind: core types live in kubernetes-models/v1, the others
// in kubernetes-models/GROUP/VERSION.
async function modelOf(apiVersion, kind) {
    if (apiVersion !== "v1" && !apiVersion.includes("/")) return null;
    try {
        const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
        return mod[kind] ?? null;
    } catch {
        return null;
    }
}

// The schema validators read every property they know (`data.field`); a Proxy records those
// reads, so an own key never read is a field the schema does not have. Maps (labels,
// resources) are read key by key, so their keys count as known.
function tracked(value, path, seen) {
    if (value === null || typeof value !== "object") return value;
    const read = new Set();
    seen.push({ value, path, read });
    const cache = new Map();
    return new Proxy(value, {
        get(target, key, receiver) {
            if (typeof key !== "string" || !Object.prototype.hasOwnProperty.call(target, key))
                return Reflect.get(target, key, receiver);
            read.add(key);
            if (!cache.has(key)) cache.set(key, tracked(target[key], `${path}/${key}`, seen));
            return cache.get(key);
        },
    });
}

function unknownFields(seen) {
    const out = [];
    for (const { value, path, read } of seen) {
        if (Array.isArray(value)) continue;
        for (const key of Object.keys(value)) if (!read.has(key)) out.push(`${path}/${key}`);
    }
    return out;
}

let failed = 0;
for (const file of process.argv.slice(2)) {
    let docs;
    try {
        const text = readFileSync(file === "-" ? 0 : file, "utf8");
        docs = parseAllDocuments(text);
    } catch (e) {
        console.log(`${file}: cannot read: ${e.message}`);
        process.exit(2);
    }
    for (const doc of docs) {
        if (doc.errors.length) {
            console.log(`${file}: not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
            process.exit(2);
        }
        const obj = doc.toJS();
        if (obj === null) continue; // an empty document (a trailing ---)
        const name = `${obj.kind}/${obj.metadata?.name ?? "?"}`;
        const Model = await modelOf(String(obj.apiVersion), String(obj.kind));
        if (!Model) {
            console.log(`${file}: ${name}: unknown apiVersion/kind ${obj.apiVersion} ${obj.kind}`);
            failed++;
            continue;
        }
        const seen = [];
        let problems = [];
        try {
            Model.prototype.validate.call(tracked(obj, "", seen));
        } catch (e) {
            problems.push(e.message);
        }
        problems = problems.concat(unknownFields(seen).map((f) => `unknown field ${f}`));
        if (problems.length) {
            console.log(`${file}: ${name}: ${problems.join("; ")}`);
            failed++;
        } else {
            console.log(`ok ${file}: ${name}`);
        }
    }
}
process.exit(failed ? 1 : 0);
