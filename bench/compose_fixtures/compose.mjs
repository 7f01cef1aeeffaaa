// The reference composition for the fixtures of `vum-gateway compose`: @apollo/composition composes
// each case's subgraphs (what the federation audit and `rover supergraph compose` do).
// stdin: [{id, subgraphs: [{name, url, sdl}]}]; stdout: [{id, supergraph} | {id, errors: [{code, message}]} | {id, crash}],
// each with its hints ([{code, message}]).
import { readFileSync } from 'node:fs'
import { composeServices } from '@apollo/composition'
import { parse } from 'graphql'

const cases = JSON.parse(readFileSync(0, 'utf8'))
const results = cases.map(({ id, subgraphs }) => {
  let result
  try {
    const services = subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) }))
    result = composeServices(services)
  } catch (error) {
    return { id, crash: String(error), hints: [] } // Apollo itself fails (a parse error, or an assertion)
  }
  const hints = (result.hints ?? []).map((hint) => ({ code: hint.definition.code, message: hint.message }))
  if (result.errors) {
    const errors = result.errors.map((error) => ({ code: error.extensions?.code ?? null, message: error.message }))
    return { id, errors, hints }
  }
  return { id, supergraph: result.supergraphSdl, hints }
})
process.stdout.write(JSON.stringify(results))
