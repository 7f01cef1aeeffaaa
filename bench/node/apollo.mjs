// @apollo/gateway on a static supergraph, served by @apollo/server's standalone HTTP server.
// Usage: NODE_ENV=production node apollo.mjs SUPERGRAPH.graphql PORT
import { readFileSync } from 'node:fs'
import { ApolloServer } from '@apollo/server'
import { startStandaloneServer } from '@apollo/server/standalone'
import { ApolloGateway } from '@apollo/gateway'

const [supergraphFile, port] = process.argv.slice(2)
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphFile, 'utf8') })
const server = new ApolloServer({ gateway })
const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: Number(port) } })
console.log(`apollo gateway ready at ${url}`)
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.stop().finally(() => process.exit(0)))
}
