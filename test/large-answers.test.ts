/**
 * One answer must never take Node-RED down. A service (or anything on its path) can send a
 * small gzip body that inflates into millions of JSON objects: 15 MB of `[{},{},…]` is 15 kB
 * gzipped, and this package asks for gzip. The core http request node parses such an answer
 * and goes on; these nodes must need not much more than that parse. The test runs a real
 * Node-RED with a 512 MB heap (`NODE_OPTIONS`), as a small deployment would, and sends each
 * node that shares the client (oauth1 request, get me, run workflow) such an answer: as a
 * success, as a refusal (401, which is diagnosed) and as an error body that goes to Catch.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { freePort, prepareUserDir, startNodeRed, type RunningNodeRed } from '../scripts/node-red-env';

const OBJECTS = 5_000_000;
const HEAP_MB = 512;
/** `[{},{},…,{}]` */
const BODY_BYTES = OBJECTS * 3 + 1;

const CREDENTIALS = { consumerKey: 'large-consumer', consumerSecret: 'large-consumer-secret', token: 'large-token-value', tokenSecret: 'large-token-secret' };

/** An http in → node → count → http response route, and a Catch for the node that answers the same way. */
function route(name: string, node: Record<string, unknown>): Record<string, unknown>[] {
  const count = [
    'const p = msg.payload;',
    'if (msg.error && !/error body/.test(String(p))) { msg.payload = `too large: ${msg.error.message}`; msg.statusCode = 200; return msg; }',
    "msg.payload = Array.isArray(p) ? p.length : typeof p === 'string' ? `text: ${p.slice(0, 100)}` : typeof p;",
    'msg.statusCode = 200;',
    'return msg;',
  ].join('\n');
  return [
    { id: `${name}-in`, type: 'http in', z: 'tab', url: `/${name}`, method: 'get', wires: [[name]] },
    { id: name, type: node.type, z: 'tab', server: 'cfg', wires: [[`${name}-count`]], ...node },
    { id: `${name}-catch`, type: 'catch', z: 'tab', scope: [name], uncaught: false, wires: [[`${name}-count`]] },
    { id: `${name}-count`, type: 'function', z: 'tab', func: count, outputs: 1, wires: [[`${name}-out`]] },
    { id: `${name}-out`, type: 'http response', z: 'tab' },
  ];
}

describe('large answers: millions of JSON objects in a 512 MB Node-RED', function () {
  this.timeout(180_000);
  let service: http.Server;
  let red: RunningNodeRed | undefined;
  let userDir: string;
  const output: string[] = [];

  before(async () => {
    const plain = Buffer.from(`[${'{},'.repeat(OBJECTS - 1)}{}]`);
    assert.equal(plain.length, BODY_BYTES);
    const gzipped = zlib.gzipSync(plain);
    service = http.createServer((req, res) => {
      const status = req.url?.startsWith('/refused') ? 401 : req.url?.startsWith('/users/v1/me') || req.url?.includes('/jobs/') ? 400 : 200;
      // Gzip to whoever asks for it (this package does); the core node gets the 15 MB as they are.
      const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding']));
      const body = gzip ? gzipped : plain;
      res.writeHead(status, { 'Content-Type': 'application/json', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}), 'Content-Length': body.length });
      res.end(body);
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth1-large-'));
    const port = await freePort();
    const flows = [
      { id: 'tab', type: 'tab', label: 'large answers' },
      // Answers once the flows run: Node-RED's admin API answers before its flows have started.
      { id: 'ready-in', type: 'http in', z: 'tab', url: '/ready', method: 'get', wires: [['ready-out']] },
      { id: 'ready-out', type: 'http response', z: 'tab' },
      { id: 'cfg', type: 'oauth1-config', name: 'large', baseUrl, retries: 0 },
      // The control: the core node with the same answer.
      ...route('core', { type: 'http request', method: 'GET', url: `${baseUrl}/objects`, ret: 'obj', server: undefined }),
      ...route('parsed', { type: 'oauth1-request', method: 'GET', url: '/objects', ret: 'obj' }),
      ...route('refused-text', { type: 'oauth1-request', method: 'GET', url: '/refused', ret: 'txt' }),
      ...route('refused-parsed', { type: 'oauth1-request', method: 'GET', url: '/refused', ret: 'obj' }),
      ...route('getme', { type: 'oauth1-get-me' }),
      ...route('workflow', { type: 'oauth1-run-workflow', workflowId: 'large', wait: false, outputFormat: '' }),
      // "Max response" of 1 MB counts the inflated bytes, not the 15 kB on the wire.
      { id: 'cfg-capped', type: 'oauth1-config', name: 'capped', baseUrl, retries: 0, maxResponseMB: 1 },
      ...route('capped-request', { type: 'oauth1-request', server: 'cfg-capped', method: 'GET', url: '/objects', ret: 'obj' }),
      ...route('capped-getme', { type: 'oauth1-get-me', server: 'cfg-capped' }),
      ...route('capped-workflow', { type: 'oauth1-run-workflow', server: 'cfg-capped', workflowId: 'large', wait: false, outputFormat: '' }),
    ];
    prepareUserDir({
      userDir,
      port,
      flows,
      credentials: { cfg: CREDENTIALS, 'cfg-capped': CREDENTIALS },
      settings: { logging: { console: { level: 'warn' } } },
    });
    red = await startNodeRed(userDir, port, { ...process.env, NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` }, (line) => output.push(line));
    for (const deadline = Date.now() + 30_000; (await fetch(`${red.url}/ready`)).status !== 200;) {
      if (Date.now() > deadline) throw new Error(`the flows did not start: ${output.slice(-5).join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  after(async () => {
    await red?.stop();
    await new Promise((resolve) => service.close(resolve));
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  async function ask(name: string): Promise<string> {
    assert.ok(red, 'Node-RED did not start');
    try {
      const response = await fetch(`${red.url}/${name}`, { signal: AbortSignal.timeout(60_000) });
      return `${response.status} ${await response.text()}`;
    } catch (error) {
      const exited = red.process.exitCode !== null || red.process.signalCode !== null;
      throw new Error(`/${name}: ${(error as Error).message}${exited ? ` (Node-RED died: ${output.slice(-5).join(' | ')})` : ''}`, { cause: error });
    }
  }

  it('the core http request node, Return = parsed JSON: the array reaches the flow (the control)', async () => {
    assert.equal(await ask('core'), `200 ${OBJECTS}`);
  });

  it('oauth1 request, Return = parsed JSON: the array reaches the flow', async () => {
    assert.equal(await ask('parsed'), `200 ${OBJECTS}`);
  });

  it('oauth1 request: a 401 with such a body, as text and parsed, is diagnosed without parsing the text again', async () => {
    assert.match(await ask('refused-text'), /^200 text: \[\{\},\{\},/);
    assert.equal(await ask('refused-parsed'), `200 ${OBJECTS}`);
  });

  // Node-RED copies a message for each Catch node, object by object: such a body stays off it.
  it('get me: such an error reaches Catch, with a line instead of the body on msg.payload', async () => {
    assert.equal(await ask('getme'), `200 text: (error body of ${BODY_BYTES} bytes not kept: over the 1048576 bytes a message takes to Catch)`);
  });

  it('run workflow: such an error of the job start reaches Catch, with a line instead of the body', async () => {
    assert.equal(await ask('workflow'), `200 text: (error body of ${BODY_BYTES} bytes not kept: over the 1048576 bytes a message takes to Catch)`);
  });

  it('each node counts the inflated bytes against "Max response": a Catch error, nothing parsed', async () => {
    for (const name of ['capped-request', 'capped-getme', 'capped-workflow']) {
      const answer = await ask(name);
      assert.match(answer, /^200 (too large|text): .*larger than 1048576 bytes/, `${name}: ${answer.slice(0, 200)}`);
    }
  });

  it('and Node-RED is still running', () => {
    assert.ok(red && red.process.exitCode === null && red.process.signalCode === null, output.slice(-5).join('\n'));
  });
});
