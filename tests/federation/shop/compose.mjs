// Compose the shop's subgraphs with @apollo/composition (the reference composer), once, by hand:
//   python -m tests.federation.shop.write_supergraph   (it runs this with Node and writes supergraph.graphql)
// stdin: [{"name", "url", "sdl"}]; stdout: the supergraph SDL. NODE_PATH must reach @apollo/composition
// (e.g. the audit kit's node_modules). Not run by pytest: tests only read the result.
import { createRequire } from "node:module";
const require = createRequire(process.env.COMPOSITION_FROM ?? import.meta.url);
const { composeServices } = require("@apollo/composition");
const { parse } = require("graphql");
const input = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const result = composeServices(input.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
if (!result.supergraphSdl) {
  for (const error of result.errors ?? []) console.error(error.message);
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
