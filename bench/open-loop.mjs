// Open-loop load for bench/http-load.sh with autocannon: a fixed offered rate (per connection or overall), each
// answer's latency recorded, so p95 is exact (autocannon's own summary has p90 and p97.5 but no p95).
// Usage: node open-loop.mjs URL SECONDS CONNECTIONS (--per-connection RATE | --overall RATE) [--method M] [--body JSON]
// Headers come from BENCH_HEADERS (JSON object) so the token is not on the command line.
// Prints one line: "requests/s p50 p95 p99 errors non2xx codes" (latencies in ms; requests/s counts answered requests;
// codes: the non-2xx statuses as status:count,... or -).
import { createRequire } from 'node:module';

const require = createRequire(process.env.BENCH_NODE_MODULES + '/');
const autocannon = require('autocannon');

const [url, seconds, connections, rateKind, rate, ...rest] = process.argv.slice(2);
const option = name => { const i = rest.indexOf(name); return i < 0 ? undefined : rest[i + 1]; };
const method = option('--method') ?? 'GET';
const body = option('--body');
const headers = { ...JSON.parse(process.env.BENCH_HEADERS ?? '{}'), ...(body ? { 'content-type': 'application/json' } : {}) };

const latencies = [];
let non2xx = 0;
const codes = new Map();
const instance = autocannon({
  url,
  method,
  body,
  headers,
  duration: Number(seconds),
  connections: Number(connections),
  [rateKind === '--overall' ? 'overallRate' : 'connectionRate']: Number(rate),
  timeout: 10,
  // Each connection is opened once and kept: the clients are users that stay, not a connection storm.
  pipelining: 1,
});
instance.on('response', (_client, status, _bytes, ms) => {
  latencies.push(ms);
  if (status < 200 || status > 299) {
    non2xx++;
    codes.set(status, (codes.get(status) ?? 0) + 1);
  }
});
instance.on('done', result => {
  latencies.sort((a, b) => a - b);
  const at = p => latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.ceil(p / 100 * latencies.length) - 1)];
  const answered = latencies.length / (result.duration || Number(seconds));
  // result.errors counts connection and request errors and timeouts.
  console.log(`${answered.toFixed(1)} ${at(50).toFixed(3)} ${at(95).toFixed(3)} ${at(99).toFixed(3)} ${result.errors} ${non2xx} ${[...codes].map(([c, n]) => `${c}:${n}`).join(',') || '-'}`);
});
