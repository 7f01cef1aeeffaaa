// Closed-loop load generator (autocannon): a warm-up, then a measured run at a fixed concurrency.
// Usage: node loadgen.mjs SPEC.json   (url, body, headers, connections, warmup, duration, minBytes)
// Prints one JSON line {"event":"measure-start"} when measuring begins, and one with the result.
// Every response body is checked: no GraphQL "errors" and at least minBytes long, so that a fast
// wrong or empty answer counts as a mismatch instead of as a request served.
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'))

function verifyBody (body) {
  return body.length >= spec.minBytes && !body.includes('"errors"')
}

function run (duration, onResponse) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: spec.url,
      method: 'POST',
      headers: spec.headers,
      body: spec.body,
      connections: spec.connections,
      duration,
      timeout: 30,
      verifyBody
    }, (error, result) => (error ? reject(error) : resolve(result)))
    if (onResponse) instance.on('response', onResponse)
  })
}

function percentile (sorted, p) {
  if (sorted.length === 0) return null
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, index)]
}

if (spec.warmup > 0) await run(spec.warmup)
const latencies = []
let statusOk = 0
console.log(JSON.stringify({ event: 'measure-start' }))
const started = process.hrtime.bigint()
const result = await run(spec.duration, (client, statusCode, bytes, responseTime) => {
  latencies.push(responseTime)
  if (statusCode >= 200 && statusCode < 300) statusOk++
})
const elapsed = Number(process.hrtime.bigint() - started) / 1e9
console.log(JSON.stringify({ event: 'measure-end' }))
latencies.sort((a, b) => a - b)
console.log(JSON.stringify({
  event: 'result',
  responses: latencies.length,
  ok: statusOk,
  seconds: elapsed,
  rps: latencies.length / elapsed,
  p50: percentile(latencies, 50),
  p95: percentile(latencies, 95),
  p99: percentile(latencies, 99),
  max: latencies.length ? latencies[latencies.length - 1] : null,
  mean: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : null,
  errors: result.errors,
  timeouts: result.timeouts,
  non2xx: result.non2xx,
  mismatches: result.mismatches,
  bytesPerResponse: latencies.length ? result.throughput.total / latencies.length : 0
}))
