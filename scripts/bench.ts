/**
 * `npm run bench`: two figures, each against its target (no signing micro-benchmark: only
 * what a flow sees end to end counts).
 *
 * 1. End to end: messages per second through `oauth1-request` and, in the same run and
 *    the same Node-RED, through the core `http request` node sending the same URL
 *    unsigned; 16 messages in flight, keep-alive, a local server in its own process.
 * 2. Memory: the heap after 1,000 and after 100,000 requests through `oauth1-request`.
 * 3. Limits: a burst of 1,000 messages to the demo's NetSuite-like service, which allows 5
 *    requests at a time and takes 50 ms each: with *At most* 5 (no refusal, no error,
 *    throughput near the ceiling of 5 / 50 ms), and without (refusals and errors counted).
 *
 * Loopback only, bounded loops. Run with `node --expose-gc` (the npm script does), so that
 * the heap is measured after a full collection. `--strict` exits with 1 when a target is missed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { isRecord } from '../demo/http';
import { NETSUITE_DEMO_ACCOUNT } from '../demo/presets';
import { startDemoServer, type DemoServer } from '../demo/server';

const ROOT = path.resolve(__dirname, '..');
const IN_FLIGHT = 16;
const WARM_UP_MESSAGES = 2_000;
const ROUND_MESSAGES = 4_000;
const ROUNDS = 5;
const MEMORY_FIRST = 1_000;
const MEMORY_TOTAL = 100_000;
const TARGETS = { endToEnd: 1.0, memoryMb: 10, limitCeiling: 0.9 };
const BURST = 1_000;
const DEMO_CONCURRENCY = 5;
const DEMO_SERVICE_MS = 50;
const NETSUITE_PROBE = 'record/v1/metadata-catalog/';

const QUERY = Array.from({ length: 10 }, (_, i) => `param${i}=value%20${i}`).join('&');
const CREDENTIALS = { consumerKey: 'bench-consumer-key', consumerSecret: 'bench consumer secret', token: 'bench-token', tokenSecret: 'bench token secret' };

// ---------------------------------------------------------------------------------------
// The HTTP server, in a process of its own so that it does not share the event loop it measures.

function runServer(): void {
  const body = Buffer.from('{"ok":true,"items":[1,2,3]}');
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the bench server listens on no TCP port');
    process.stdout.write(`listening ${address.port}\n`);
  });
  // Ends with its parent.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

function startServer(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [...process.execArgv.filter((arg) => arg !== '--expose-gc'), __filename, '--server'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)));
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      resolve({ port: Number(/listening (\d+)/.exec(line)?.[1]), child });
    });
  });
}

// ---------------------------------------------------------------------------------------
// Node-RED, embedded, with both request nodes wired to a sink that hands messages back here.

type Completion = (nodeId: string, failed: boolean) => void;
const SINK_HOOK = '__oauth1BenchSink';

const SINK_NODE = `module.exports = function (RED) {
  function BenchSink(config) {
    RED.nodes.createNode(this, config);
    const failed = Boolean(config.failed);
    this.on('input', (msg, send, done) => {
      globalThis.${SINK_HOOK}(msg.bench, failed || msg.statusCode !== 200);
      done();
    });
  }
  RED.nodes.registerType('bench-sink', BenchSink);
};
`;
const SINK_HTML = `<script type="text/javascript">RED.nodes.registerType('bench-sink', { category: 'common', defaults: {}, inputs: 1 });</script>`;

interface NodeRedRuntime {
  init(settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: { getNode(id: string): { receive(msg: Record<string, unknown>): void } | null };
}

/** The part of Node-RED's API the bench drives; @types/node-red types another `init`, so it is checked here. */
function isNodeRedRuntime(value: unknown): value is NodeRedRuntime {
  return isRecord(value) && typeof value.init === 'function' && typeof value.start === 'function' && typeof value.stop === 'function' && isRecord(value.nodes);
}

/** Two services on the demo's NetSuite-like base URL, with and without its limit, and a request node for each. */
function limitFlows(netsuite: string): Array<Record<string, unknown>> {
  const service = { type: 'oauth1-config', baseUrl: netsuite, signatureMethod: 'HMAC-SHA256', realm: NETSUITE_DEMO_ACCOUNT, retries: 0 };
  const request = { type: 'oauth1-request', z: 'tab', method: 'GET', url: NETSUITE_PROBE, ret: 'obj', x: 100, wires: [['sink']] };
  return [
    { id: 'cfg-limited', name: 'at most 5', ...service, maxConcurrent: DEMO_CONCURRENCY },
    { id: 'cfg-unlimited', name: 'no limit', ...service, maxWait: 60 },
    { id: 'limited', server: 'cfg-limited', y: 160, ...request },
    { id: 'unlimited', server: 'cfg-unlimited', y: 200, ...request },
  ];
}

async function startNodeRed(port: number, netsuite: string): Promise<{ red: NodeRedRuntime; userDir: string }> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth1-bench-'));
  const nodesDir = path.join(userDir, 'nodes');
  fs.mkdirSync(nodesDir);
  fs.writeFileSync(path.join(nodesDir, 'bench-sink.js'), SINK_NODE);
  fs.writeFileSync(path.join(nodesDir, 'bench-sink.html'), SINK_HTML);
  for (const type of ['oauth1-config', 'oauth1-request']) {
    fs.symlinkSync(path.join(ROOT, 'dist', 'nodes', type), path.join(nodesDir, type), 'dir');
  }
  const url = `http://127.0.0.1:${port}/v1/items/?${QUERY}`;
  const flows = [
    { id: 'tab', type: 'tab', label: 'bench' },
    { id: 'cfg', type: 'oauth1-config', name: 'bench', baseUrl: `http://127.0.0.1:${port}` },
    { id: 'ours', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'GET', url: `v1/items/?${QUERY}`, ret: 'obj', x: 100, y: 40, wires: [['sink']] },
    { id: 'core', type: 'http request', z: 'tab', method: 'GET', url, ret: 'obj', persist: true, paytoqs: 'ignore', x: 100, y: 80, wires: [['sink']] },
    { id: 'sink', type: 'bench-sink', z: 'tab', x: 300, y: 60, wires: [] },
    { id: 'catch', type: 'catch', z: 'tab', scope: ['ours', 'core', 'limited', 'unlimited'], uncaught: false, x: 100, y: 120, wires: [['failed']] },
    { id: 'failed', type: 'bench-sink', z: 'tab', failed: true, x: 300, y: 120, wires: [] },
    ...limitFlows(netsuite),
  ];
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
  fs.writeFileSync(
    path.join(userDir, 'flows_cred.json'),
    JSON.stringify({ cfg: CREDENTIALS, 'cfg-limited': DEMO_CREDENTIALS, 'cfg-unlimited': DEMO_CREDENTIALS }),
  );

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const red: unknown = require('node-red');
  if (!isNodeRedRuntime(red)) throw new Error('node-red does not export the runtime API the bench drives');
  red.init({
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    editorTheme: { projects: { enabled: false } },
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    logging: { console: { level: process.env.BENCH_LOG ?? 'error', metrics: false, audit: false } },
  });
  try {
    await red.start();
    // start() resolves before the flows run.
    const deadline = Date.now() + 30_000;
    while (!['ours', 'core', 'sink', 'failed', 'limited', 'unlimited'].every((id) => red.nodes.getNode(id))) {
      if (Date.now() > deadline) throw new Error('the flow did not start: is dist/ built (npm run build)? BENCH_LOG=info shows why');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    fs.rmSync(userDir, { recursive: true, force: true });
    throw error;
  }
  return { red, userDir };
}

/** Sends `count` messages into a node, `IN_FLIGHT` at a time; resolves with messages per second. */
function drive(red: NodeRedRuntime, nodeId: string, count: number): Promise<{ rate: number; failed: number }> {
  const node = red.nodes.getNode(nodeId);
  if (!node) throw new Error(`no node ${nodeId}`);
  return new Promise((resolve) => {
    let sent = 0;
    let completed = 0;
    let failed = 0;
    const started = process.hrtime.bigint();
    const sendOne = () => {
      sent++;
      node.receive({ payload: '', bench: nodeId });
    };
    const onComplete: Completion = (id, didFail) => {
      if (id !== nodeId) return;
      completed++;
      if (didFail) failed++;
      if (sent < count) sendOne();
      else if (completed === count) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        resolve({ rate: count / seconds, failed });
      }
    };
    (globalThis as Record<string, unknown>)[SINK_HOOK] = onComplete;
    for (let i = 0; i < Math.min(IN_FLIGHT, count); i++) sendOne();
  });
}

/** Sends `count` messages into a node at once, as a burst from a flow; resolves with messages per second and failures. */
function burst(red: NodeRedRuntime, nodeId: string, count: number): Promise<{ rate: number; failed: number; seconds: number }> {
  const node = red.nodes.getNode(nodeId);
  if (!node) throw new Error(`no node ${nodeId}`);
  return new Promise((resolve) => {
    let completed = 0;
    let failed = 0;
    const started = process.hrtime.bigint();
    const onComplete: Completion = (id, didFail) => {
      if (id !== nodeId) return;
      completed++;
      if (didFail) failed++;
      if (completed === count) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        resolve({ rate: count / seconds, failed, seconds });
      }
    };
    (globalThis as Record<string, unknown>)[SINK_HOOK] = onComplete;
    for (let i = 0; i < count; i++) node.receive({ payload: '', bench: nodeId });
  });
}

/** The end-to-end figure: oauth1-request against the core node, rounds alternating, the median of each. */
async function endToEndFigure(red: NodeRedRuntime): Promise<boolean> {
  console.log(`\nend to end: GET with 10 query parameters, ${IN_FLIGHT} in flight, keep-alive, local server in another process`);
  await drive(red, 'core', WARM_UP_MESSAGES);
  await drive(red, 'ours', WARM_UP_MESSAGES);
  const rates = { ours: [] as number[], core: [] as number[] };
  let failed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const id of round % 2 ? (['ours', 'core'] as const) : (['core', 'ours'] as const)) {
      const result = await drive(red, id, ROUND_MESSAGES);
      rates[id].push(result.rate);
      failed += result.failed;
    }
  }
  if (failed) throw new Error(`${failed} requests failed`);
  const ours = median(rates.ours);
  const core = median(rates.core);
  const ratio = ours / core;
  console.log(`  core http request (unsigned)  ${format(core)} msg/s   (rounds: ${rates.core.map(format).join(', ')})`);
  console.log(`  oauth1-request (signed)       ${format(ours)} msg/s   (rounds: ${rates.ours.map(format).join(', ')})`);
  console.log(`  ratio ${ratio.toFixed(2)} (target >= ${TARGETS.endToEnd}): ${verdict(ratio >= TARGETS.endToEnd)}`);
  return ratio >= TARGETS.endToEnd;
}

/** The limits figure: a burst with At most 5 against a service that allows 5, and the same burst without the limit. */
async function limitsFigure(red: NodeRedRuntime, demo: DemoServer): Promise<boolean> {
  const ceiling = DEMO_CONCURRENCY / (DEMO_SERVICE_MS / 1000);
  console.log(
    `\nlimits: a burst of ${format(BURST)} to a service allowing ${DEMO_CONCURRENCY} at a time, ${DEMO_SERVICE_MS} ms each (ceiling ${format(ceiling)} msg/s)`,
  );
  const refusalsBefore = demo.stats.limitRefusals;
  const limited = await burst(red, 'limited', BURST);
  const limitedRefusals = demo.stats.limitRefusals - refusalsBefore;
  const share = limited.rate / ceiling;
  const ok = limitedRefusals === 0 && limited.failed === 0 && share >= TARGETS.limitCeiling;
  console.log(
    `  At most ${DEMO_CONCURRENCY}:   ${format(limited.rate)} msg/s (${(share * 100).toFixed(0)}% of the ceiling), ${limitedRefusals} refusals, ${limited.failed} errors, peak ${demo.stats.netsuitePeakInFlight} in flight: ${verdict(ok)}`,
  );
  const before = demo.stats.limitRefusals;
  const unlimited = await burst(red, 'unlimited', BURST);
  console.log(
    `  no limit set:  ${format(unlimited.rate)} msg/s, ${demo.stats.limitRefusals - before} refusals (each sent again, signed anew), ${unlimited.failed} messages not answered 200 within Max wait 60 s (${unlimited.seconds.toFixed(1)} s in all)`,
  );
  return ok;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function heapAfterGc(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage().heapUsed;
}

// ---------------------------------------------------------------------------------------

const format = (n: number) => Math.round(n).toLocaleString('en-US');
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

async function main(): Promise<void> {
  const started = Date.now();
  const strict = process.argv.includes('--strict');
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const results: boolean[] = [];

  const server = await startServer();
  const demo = await startDemoServer({ netsuiteConcurrency: DEMO_CONCURRENCY, netsuiteServiceMs: DEMO_SERVICE_MS });
  const { red, userDir } = await startNodeRed(server.port, demo.baseUrls.netsuite);
  try {
    results.push(await endToEndFigure(red));

    console.log(`\nmemory: heap after ${format(MEMORY_FIRST)} and after ${format(MEMORY_TOTAL)} requests through oauth1-request`);
    await drive(red, 'ours', MEMORY_FIRST);
    const before = await heapAfterGc();
    const rest = await drive(red, 'ours', MEMORY_TOTAL - MEMORY_FIRST);
    if (rest.failed) throw new Error(`${rest.failed} requests failed`);
    const after = await heapAfterGc();
    const grownMb = (after - before) / 1024 / 1024;
    results.push(grownMb <= TARGETS.memoryMb);
    console.log(
      `  heap after ${format(MEMORY_FIRST)}: ${(before / 1024 / 1024).toFixed(1)} MB, after ${format(MEMORY_TOTAL)}: ${(after / 1024 / 1024).toFixed(1)} MB`,
    );
    const shown = grownMb.toFixed(1) === '-0.0' ? '0.0' : grownMb.toFixed(1);
    console.log(`  difference ${shown.startsWith('-') ? '' : '+'}${shown} MB (target <= ${TARGETS.memoryMb} MB): ${verdict(grownMb <= TARGETS.memoryMb)}`);
    results.push(await limitsFigure(red, demo));
  } finally {
    await red.stop();
    await demo.close();
    server.child.stdin?.end();
    server.child.kill();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
  const missed = results.filter((ok) => !ok).length;
  console.log(`${missed ? `\n${missed} target(s) missed` : '\nall targets met'} (${Math.round((Date.now() - started) / 1000)} s)`);
  process.exit(strict && missed ? 1 : 0);
}

if (process.argv.includes('--server')) {
  runServer();
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
