// tojson.mjs: prints the YAML documents of the files named (- for standard input) as one
// JSON array of {"file": NAME, "doc": OBJECT}, for tests/e2e/k8s.sh's checks of how the
// example's manifests fit together. Exits 2 on a file that cannot be read or parsed.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const out = [];
for (const file of process.argv.slice(2)) {
    try {
        for (const d of parseAllDocuments(readFileSync(file === "-" ? 0 : file, "utf8"))) {
            if (d.errors.length) throw d.errors[0];
            const doc = d.toJS();
            if (doc !== null) out.push({ file, doc });
        }
    } catch (e) {
        console.error(`${file}: ${e.message.split("\n")[0]}`);
        process.exit(2);
    }
}
console.log(JSON.stringify(out));
