// Open-loop users for bench/http-load.sh: USERS users, each on its own keep-alive connection, each sending a request
// every 1/RATE s at its own random phase (users are not in step with each other), whether or not its last answer came
// (open loop). Each latency counts from when the request was due (or sent, if that was earlier), so a server that
// falls behind is charged for the wait (no coordinated omission). Users arrive evenly over --ramp seconds (their connection set-up, TLS included, is
// reported apart); then --settle seconds pass before SECONDS of measurement.
// Usage: node users.mjs URL SECONDS USERS RATE_PER_USER [--ramp S] [--settle S] [--method M] [--body JSON]
// Headers come from BENCH_HEADERS (JSON object) so the token is not on the command line.
// Prints one line: "requests/s p50 p95 p99 errors non2xx codes" (latencies in ms; requests/s counts answered requests
// in the measured window; codes: the non-2xx statuses as status:count,... or -); on stderr, how the users connected.
import http from 'node:http';
import https from 'node:https';

const [url, seconds, users, ratePerUser, ...rest] = process.argv.slice(2);
const option = (name, fallback) => { const i = rest.indexOf(name); return i < 0 ? fallback : rest[i + 1]; };
const method = option('--method', 'GET');
const body = option('--body');
const rampMs = Number(option('--ramp', '2')) * 1000;
const settleMs = Number(option('--settle', '1')) * 1000;
const windowMs = Number(seconds) * 1000;
const periodMs = 1000 / Number(ratePerUser);
const target = new URL(url);
const client = target.protocol === 'https:' ? https : http;
const headers = { ...JSON.parse(process.env.BENCH_HEADERS ?? '{}'), ...(body ? { 'content-type': 'application/json' } : {}) };

const started = performance.now();
const windowStart = started + rampMs + settleMs;
const windowEnd = windowStart + windowMs;
const latencies = [];
const codes = new Map();
const connectMs = [];
let errors = 0;
let non2xx = 0;
let pending = 0;

function send(agent, due) {
  const measured = due >= windowStart && due < windowEnd;
  // From when it was due, or from when it went if Node's timer fired early (they may, by up to a millisecond).
  const from = Math.min(due, performance.now());
  pending++;
  const request = client.request(target, { method, headers, agent, rejectUnauthorized: false, timeout: 10_000 }, response => {
    response.resume();
    response.on('end', () => {
      pending--;
      if (!measured) return;
      latencies.push(performance.now() - from);
      if (response.statusCode < 200 || response.statusCode > 299) {
        non2xx++;
        codes.set(response.statusCode, (codes.get(response.statusCode) ?? 0) + 1);
      }
    });
  });
  request.on('socket', socket => {
    if (!socket.connecting) return;
    const opened = performance.now();
    socket.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', () => connectMs.push(performance.now() - opened));
  });
  request.on('timeout', () => request.destroy(new Error('timeout')));
  request.on('error', () => {
    pending--;
    if (measured) errors++;
  });
  request.end(body);
}

function user(index) {
  // One connection per user, kept open between its requests.
  const agent = new client.Agent({ keepAlive: true, maxSockets: 1 });
  const arrival = started + (rampMs * index) / Number(users);
  let due = arrival;
  const next = () => {
    if (due >= windowEnd) {
      agent.destroy();
      return;
    }
    send(agent, due);
    // The first request connects; from then on a random phase within the period.
    due += due === arrival ? Math.random() * periodMs : periodMs;
    setTimeout(next, Math.max(0, due - performance.now()));
  };
  setTimeout(next, Math.max(0, arrival - performance.now()));
}

for (let i = 0; i < Number(users); i++) user(i);

const finish = () => {
  if (pending > 0 && performance.now() < windowEnd + 11_000) {
    setTimeout(finish, 50);
    return;
  }
  latencies.sort((a, b) => a - b);
  connectMs.sort((a, b) => a - b);
  const at = (list, p) => list.length === 0 ? NaN : list[Math.min(list.length - 1, Math.ceil(p / 100 * list.length) - 1)];
  errors += pending; // never answered
  console.error(`users.mjs: ${connectMs.length} connections over ${rampMs / 1000} s, connect p50 ${at(connectMs, 50).toFixed(1)} ms, p95 ${at(connectMs, 95).toFixed(1)} ms, max ${at(connectMs, 100).toFixed(1)} ms`);
  console.log(`${(latencies.length / (windowMs / 1000)).toFixed(1)} ${at(latencies, 50).toFixed(3)} ${at(latencies, 95).toFixed(3)} ${at(latencies, 99).toFixed(3)} ${errors} ${non2xx} ${[...codes].map(([c, n]) => `${c}:${n}`).join(',') || '-'}`);
  process.exit(0);
};
setTimeout(finish, windowEnd - performance.now());
