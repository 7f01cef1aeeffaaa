// The reference composition for the fixtures of `vum-gateway compose`: @apollo/composition composes
// each case's subgraphs (what the federation audit and `rover supergraph compose` do).
// stdin: [{id, subgraphs: [{name, url, sdl}]}]; stdout: [{id, supergraph} | {id, errors: [{code, message}]}],
// each with its hints ([{code, message}]).
import { readFileSync } from 'node:fs'
import { composeServices } from '@apollo/composition'
import { parse } from 'graphql'

const cases = JSON.parse(readFileSync(0, 'utf8'))
const results = cases.map(({ id, subgraphs }) => {
  const services = subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) }))
  const result = composeServices(services)
  const hints = (result.hints ?? []).map((hint) => ({ code: hint.definition.code, message: hint.message }))
  if (result.errors) {
    const errors = result.errors.map((error) => ({ code: error.extensions?.code ?? null, message: error.message }))
    return { id, errors, hints }
  }
  return { id, supergraph: result.supergraphSdl, hints }
})
process.stdout.write(JSON.stringify(results))
