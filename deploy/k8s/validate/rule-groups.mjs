// Prints the rule groups of the PrometheusRule objects in a file as a Prometheus rule file, for
// promtool. With --no-annotations, annotations are left out: the unit tests (promtool test rules)
// then compare labels only, while `promtool check rules` on the full file checks the templates.
//
//   node rule-groups.mjs [--no-annotations] FILE.yaml > rules.yaml
import fs from "node:fs";
import { parseAllDocuments, stringify } from "yaml";

const args = process.argv.slice(2);
const bare = args.includes("--no-annotations");
const file = args.find((a) => !a.startsWith("--"));
const groups = [];
for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
  const obj = doc.toJS();
  if (obj?.kind !== "PrometheusRule") continue;
  for (const g of obj.spec?.groups ?? []) {
    groups.push({ ...g, rules: (g.rules ?? []).map(({ annotations, ...r }) => (bare ? r : { ...r, annotations })) });
  }
}
if (groups.length === 0) throw new Error(`no PrometheusRule groups in ${file}`);
process.stdout.write(stringify({ groups }));
