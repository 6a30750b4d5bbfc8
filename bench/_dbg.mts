import { RulesRouter } from "../src/routing/rules.js";
import { HELDOUT_CONTEXT } from "../test/support/routing-fixtures.js";
import { toUtterance } from "../src/routing/rules-text.js";
const r = new RulesRouter();
for (const t of process.argv.slice(2)) { console.log(JSON.stringify(toUtterance(t, HELDOUT_CONTEXT.workflows.map(w=>w.name)))); console.log(JSON.stringify(await r.route(t, HELDOUT_CONTEXT))); }
