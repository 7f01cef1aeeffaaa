// Compose a supergraph from subgraph SDL files with @apollo/composition (what `rover supergraph compose` does).
// Usage: node compose.mjs OUT.graphql NAME=URL=SDL_FILE ...
import { readFileSync, writeFileSync } from 'node:fs'
import { composeServices } from '@apollo/composition'
import { parse } from 'graphql'

const [out, ...specs] = process.argv.slice(2)
const services = specs.map((spec) => {
  const [name, url, file] = spec.split('=')
  return { name, url, typeDefs: parse(readFileSync(file, 'utf8')) }
})
const result = composeServices(services)
if (result.errors) {
  for (const error of result.errors) console.error(error.toString())
  process.exit(1)
}
for (const hint of result.hints ?? []) console.error(`hint: ${hint.definition.code}: ${hint.message}`)
writeFileSync(out, result.supergraphSdl)
