/**
 * `npm start` end to end: the demo service and Node-RED with the example flows. Clicks the
 * inject nodes through the admin API and reads the debug sidebar's messages from /comms.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { DEMO_USER } from '../demo/extrahorizon';
import { CREDENTIAL_SECRET_FILE, freePort } from '../scripts/node-red-env';
import { installFromPalette, packPalettePackage, PALETTE_PACKAGE } from './support/palette-package';

const START = path.join(__dirname, '..', 'scripts', 'start.ts');

function startScript(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [require.resolve('tsx/cli'), START], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

interface DebugMessage {
  name: string;
  msg: string;
  format: string;
}

const EXAMPLE = {
  whoAmI: 'a1f0c0de00000011',
  runSalesReport: 'a1f0c0de00000021',
  runFailingWorkflow: 'a1f0c0de00000024',
  listWorkflows: 'a1f0c0de00000031',
  /** examples/netsuite-restlet-call.json and jira-issue-search.json */
  netsuiteRestlet: 'b3f0c0de00000011',
  netsuiteCatalog: 'b3f0c0de00000021',
  jiraSearch: 'c4f0c0de00000011',
  jiraMyself: 'c4f0c0de00000021',
  /** examples/body-hash-post.json */
  bodyHashPost: 'd5f0c0de00000011',
  /** examples/upload-file.json */
  uploadFile: 'e6f0c0de00000011',
};

describe('npm start (demo service + Node-RED + examples/flows.json)', function () {
  this.timeout(120_000);
  let child: ChildProcess;
  let output = '';
  let editorUrl: string;
  let comms: WebSocket;
  const debug: DebugMessage[] = [];
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth1-start-'));

  before(async () => {
    const [port, demoPort] = await Promise.all([freePort(), freePort()]);
    child = startScript({ PORT: String(port), DEMO_PORT: String(demoPort), NODE_RED_USER_DIR: userDir });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 90_000;
    while (!/is running:\s+(http:\/\/\S+)\//.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    editorUrl = /is running:\s+(http:\/\/\S+)\//.exec(output)![1]!;
    comms = new WebSocket(`${editorUrl.replace('http', 'ws')}/comms`);
    await new Promise((resolve, reject) => comms.once('open', resolve).once('error', reject));
    comms.send(JSON.stringify({ subscribe: 'debug' }));
    comms.on('message', (data) => {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- ws gives a text frame as one Buffer
      const events = JSON.parse(data.toString()) as Array<{ topic: string; data: DebugMessage }>;
      for (const event of [events].flat()) if (event.topic === 'debug') debug.push(event.data);
    });
  });

  after(async () => {
    comms?.close();
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  async function click(injectId: string): Promise<void> {
    const response = await fetch(`${editorUrl}/inject/${injectId}`, { method: 'POST' });
    assert.equal(response.status, 200, `inject ${injectId}: ${response.status}`);
  }

  async function debugFrom(name: string, timeoutMs = 30_000): Promise<DebugMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = debug.findIndex((message) => message.name === name);
      if (index >= 0) return debug.splice(index, 1)[0];
      if (Date.now() > deadline) throw new Error(`no debug message from "${name}"; seen: ${JSON.stringify(debug)}\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('prints the editor URL and deploys the examples with every node type of the package', async () => {
    const flows = (await (await fetch(`${editorUrl}/flows`)).json()) as Array<{ type: string; label?: string }>;
    const types = new Set(flows.map((node) => node.type));
    for (const type of ['oauth1-config', 'oauth1-get-me', 'oauth1-run-workflow', 'oauth1-request']) assert.ok(types.has(type), type);
    const tabs = flows.filter((node) => node.type === 'tab').map((node) => node.label);
    assert.deepEqual(tabs, ['OAuth 1.0a examples', 'NetSuite RESTlet call', 'Jira issue search', 'Signed body (body hash)', 'Upload a file (multipart)']);
  });

  it('labels each warning of the first start with the node name, and gives every example service its defaults (Max response)', async () => {
    assert.doesNotMatch(output, /\[oauth1-[a-z-]+:[0-9a-f]{16}\]/, 'a warning labelled with a raw node id');
    assert.match(output, /\[oauth1-get-me:get me \(after Get token\)\] token missing/);
    const flows = (await (await fetch(`${editorUrl}/flows`)).json()) as Array<{ type: string; name?: string; maxResponseMB?: number }>;
    for (const service of flows.filter((node) => node.type === 'oauth1-config')) assert.equal(service.maxResponseMB, 100, service.name);
  });

  it('"who am I?" shows the demo user in the debug sidebar', async () => {
    await click(EXAMPLE.whoAmI);
    const message = await debugFrom('user');
    assert.match(message.msg, new RegExp(DEMO_USER.email.replace('.', '\\.')));
  });

  it('"Belgium 2024" runs the Sales report workflow to the end and shows its CSV', async () => {
    await click(EXAMPLE.runSalesReport);
    const message = await debugFrom('job and outputs');
    assert.match(message.msg, /"status":"Completed"/);
    assert.match(message.msg, /"disposition":"Success"/);
    assert.match(message.msg, /"outputs":\[/);
    assert.match(message.msg, /BE/);
  });

  it('the failing workflow (OAuth 2, msg.workflowId) reaches the Catch node with the tool error', async () => {
    await click(EXAMPLE.runFailingWorkflow);
    const message = await debugFrom('errors');
    assert.match(message.msg, /File not found/);
  });

  it('"list workflows" shows the workflows the key may run', async () => {
    await click(EXAMPLE.listWorkflows);
    const message = await debugFrom('response');
    assert.match(message.msg, /Sales report/);
  });

  it('"NetSuite RESTlet call": the RESTlet and the REST web services answer, signed with the realm', async () => {
    await click(EXAMPLE.netsuiteRestlet);
    const restlet = await debugFrom('restlet answer');
    assert.match(restlet.msg, /"script":"42"/);
    assert.match(restlet.msg, /"received":\{"customer":"ACME"/);
    await click(EXAMPLE.netsuiteCatalog);
    assert.match((await debugFrom('metadata catalog')).msg, /"name":"customer"/);
    assert.ok(!debug.some((message) => message.name === 'netsuite errors'), JSON.stringify(debug));
  });

  it('"Jira issue search": RSA-SHA1 with the private key from the environment finds the issues and the user', async () => {
    await click(EXAMPLE.jiraSearch);
    assert.match((await debugFrom('issues')).msg, /DEMO-1.*DEMO-2/);
    await click(EXAMPLE.jiraMyself);
    assert.match((await debugFrom('jira user')).msg, /"displayName":"Demo User"/);
    assert.ok(!debug.some((message) => message.name === 'jira errors'), JSON.stringify(debug));
  });

  it('"Signed body": a JSON POST with oauth_body_hash (HMAC-SHA256 → SHA-256) is accepted', async () => {
    await click(EXAMPLE.bodyHashPost);
    const answer = await debugFrom('body hash answer');
    assert.match(answer.msg, /"oauth_body_hash":"verified"/);
    assert.match(answer.msg, /"signatureMethod":"HMAC-SHA256"/);
    assert.ok(!debug.some((message) => message.name === 'body hash errors'), JSON.stringify(debug));
  });

  it('"Upload a file": a signed multipart upload with body hash; the demo receives the field and the picture whole', async () => {
    await click(EXAMPLE.uploadFile);
    const answer = JSON.parse((await debugFrom('upload answer')).msg) as { oauth_body_hash: string; parts: unknown[] };
    assert.equal(answer.oauth_body_hash, 'verified');
    assert.deepEqual(answer.parts, [
      { name: 'title', bytes: 19, value: 'A one-pixel picture' },
      { name: 'media', filename: 'pixel.png', contentType: 'image/png', bytes: 70 },
    ]);
    assert.ok(!debug.some((message) => message.name === 'upload errors'), JSON.stringify(debug));
  });

  it('never shows the demo secrets in the output or the user directory', () => {
    const files = ['flows.json', 'flows_cred.json'].map((file) => fs.readFileSync(path.join(userDir, file), 'utf8')).join('\n');
    for (const secret of [DEMO_CREDENTIALS.consumerSecret, DEMO_CREDENTIALS.tokenSecret]) {
      assert.ok(!output.includes(secret), 'printed');
      assert.ok(!files.includes(secret), 'stored');
      assert.ok(!JSON.stringify(debug).includes(secret), 'debug');
    }
  });

  it('encrypts the credentials with a secret made for its user directory, and never says they are unencrypted', () => {
    assert.doesNotMatch(output, /unencrypted credentials|encrypted credentials not found/i);
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8')) as object), ['$']);
    const secretFile = path.join(userDir, CREDENTIAL_SECRET_FILE);
    assert.equal(fs.statSync(secretFile).mode & 0o077, 0, 'only its owner reads the secret');
    const secret = fs.readFileSync(secretFile, 'utf8');
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.ok(!output.includes(secret), 'printed');
    assert.ok(!fs.readFileSync(path.join(userDir, 'settings.js'), 'utf8').includes(secret), 'copied into settings.js');
  });

  it('a package installed from the palette leaves ours in place: after a reload the editor still loads our nodes', async () => {
    const tarball = await packPalettePackage(fs.mkdtempSync(path.join(userDir, 'pack-')));
    const installed = await installFromPalette(editorUrl, tarball);
    assert.equal(installed.status, 200, await installed.text());
    // What a reload of the editor fetches: the node definitions with their editor scripts.
    const definitions = await (await fetch(`${editorUrl}/nodes`, { headers: { Accept: 'text/html' } })).text();
    for (const type of ['oauth1-config', 'oauth1-request', PALETTE_PACKAGE.type]) assert.match(definitions, new RegExp(`["']${type}["']`), type);
    assert.match(definitions, /registerConfigNode\("oauth1-config"/, 'the config node brings its editor script');
    const manifest = JSON.parse(fs.readFileSync(path.join(userDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['node-red-contrib-oauth1', PALETTE_PACKAGE.name]);
  });

  it('stops both on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  });
});

describe('npm start when another process holds its port', function () {
  this.timeout(60_000);
  let squatter: http.Server;
  let taken: number;
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth1-start-taken-'));

  before(async () => {
    // Answers every request with 200, as another Node-RED's editor would.
    squatter = http.createServer((_request, response) => response.end('{}'));
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    taken = (squatter.address() as AddressInfo).port;
  });

  after(() => {
    squatter.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  async function startOn(ports: { PORT: number; DEMO_PORT: number }): Promise<{ code: number | null; output: string }> {
    return untilExit(startScript({ PORT: String(ports.PORT), DEMO_PORT: String(ports.DEMO_PORT), NODE_RED_USER_DIR: userDir }));
  }

  /** Its exit code and all it printed; killed after 45 s. */
  async function untilExit(child: ChildProcess): Promise<{ code: number | null; output: string }> {
    let output = '';
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    return { code, output };
  }

  for (const variable of ['PORT', 'DEMO_PORT'] as const) {
    it(`says that the ${variable} is taken, and how to choose another, instead of "is running"`, async () => {
      const ports = { PORT: await freePort(), DEMO_PORT: await freePort(), [variable]: taken };
      const { code, output } = await startOn(ports);
      assert.notEqual(code, 0, output);
      assert.doesNotMatch(output, /is running/);
      assert.match(output, new RegExp(`port ${taken} on 127\\.0\\.0\\.1 is already in use by another process`));
      assert.match(output, new RegExp(`${variable}=<port> npm start`));
    });
  }

  it('npm start says so at once, before it builds', async () => {
    const { code, output } = await untilExit(
      spawn('npm', ['start'], {
        cwd: path.resolve(__dirname, '..'),
        env: { ...process.env, PORT: String(taken), DEMO_PORT: String(await freePort()), NODE_RED_USER_DIR: userDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    assert.notEqual(code, 0, output);
    assert.match(output, new RegExp(`port ${taken} on 127\\.0\\.0\\.1 is already in use`));
    assert.doesNotMatch(output, /built dist/);
  });
});

/** `npm start` on its own user directory and free ports; resolves once it printed the editor URL. */
async function runStart(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; port: number; userDir: string; output: () => string }> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth1-start-guard-'));
  const [port, demoPort] = await Promise.all([freePort(), freePort()]);
  const child = startScript({ PORT: String(port), DEMO_PORT: String(demoPort), NODE_RED_USER_DIR: userDir, ...env });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 90_000;
  while (!/is running:\s+(http:\/\/\S+)\//.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, url: /is running:\s+(http:\/\/\S+)\//.exec(output)![1], port, userDir, output: () => output };
}

async function stopStart(started: { child: ChildProcess; userDir: string } | undefined): Promise<void> {
  if (!started) return;
  if (started.child.exitCode === null) {
    const exited = new Promise((resolve) => started.child.once('exit', resolve));
    started.child.kill('SIGINT');
    await exited;
  }
  fs.rmSync(started.userDir, { recursive: true, force: true });
}

/** A request to 127.0.0.1:`port` with the headers given, `Host` and `Origin` included (fetch sets its own `Host`). */
function request(
  port: number,
  options: { path: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: '127.0.0.1', port, path: options.path, method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** Opens the editor's /comms websocket with the headers given: the status of a refusal, or 101 once it is open. */
function openComms(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/comms`, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode!);
      response.resume();
    });
    socket.once('error', reject);
  });
}

const REBINDING_HOST = 'rebind.attacker.example';
/** An HTTP In route the test deploys on its own tab: what Dashboard 2 and other httpNode pages are served beside. */
const PROBE_FLOW = {
  id: 'f0e0c0de00000001',
  label: 'probe',
  nodes: [
    { id: 'f0e0c0de00000002', type: 'http in', z: 'f0e0c0de00000001', url: '/rebind-probe', method: 'get', wires: [['f0e0c0de00000003']] },
    { id: 'f0e0c0de00000003', type: 'http response', z: 'f0e0c0de00000001', statusCode: '200', wires: [] },
  ],
};

describe('npm start answers only requests addressed to this machine (DNS rebinding)', function () {
  this.timeout(120_000);
  let started: Awaited<ReturnType<typeof runStart>> | undefined;
  let port: number;

  before(async () => {
    started = await runStart({});
    port = started.port;
    const deployed = await fetch(`${started.url}/flow`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(PROBE_FLOW) });
    assert.equal(deployed.status, 200, await deployed.text());
    // The HTTP In route answers once its flow has started.
    const deadline = Date.now() + 10_000;
    while ((await fetch(`${started.url}/rebind-probe`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('the probe route never answered');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  after(() => stopStart(started));

  it('refuses a Host naming another machine: the admin API, the editor page and its files, an HTTP In route', async () => {
    for (const host of [`${REBINDING_HOST}:${port}`, REBINDING_HOST]) {
      for (const route of ['/flows', '/', '/red/red.min.js', '/rebind-probe']) {
        const answer = await request(port, { path: route, headers: { Host: host } });
        assert.equal(answer.status, 403, `${host} ${route}`);
        assert.match(answer.body, /only requests addressed to this machine/, `${host} ${route}`);
      }
    }
    const deploy = await request(port, {
      path: '/flows',
      method: 'POST',
      headers: { Host: `${REBINDING_HOST}:${port}`, 'content-type': 'application/json' },
      body: '[]',
    });
    assert.equal(deploy.status, 403);
  });

  it('refuses the /comms websocket to a Host naming another machine', async () => {
    assert.equal(await openComms(port, { Host: `${REBINDING_HOST}:${port}` }), 403);
  });

  it('answers localhost, 127.0.0.1, [::1] and the rest of 127.0.0.0/8, with or without the port', async () => {
    for (const host of ['localhost', `localhost:${port}`, '127.0.0.1', `127.0.0.1:${port}`, '[::1]', `[::1]:${port}`, '127.0.1.1', 'LOCALHOST']) {
      for (const route of ['/flows', '/rebind-probe'])
        assert.equal((await request(port, { path: route, headers: { Host: host } })).status, 200, `${host} ${route}`);
    }
    assert.equal(await openComms(port, { Host: `localhost:${port}` }), 101);
  });

  it('refuses a request or websocket from a page of another origin, and answers the pages it serves itself', async () => {
    const foreign = { Host: `127.0.0.1:${port}`, Origin: 'http://attacker.example' };
    const deploy = await request(port, { path: '/flows', method: 'POST', headers: { ...foreign, 'content-type': 'application/json' }, body: '[]' });
    assert.equal(deploy.status, 403);
    assert.equal((await request(port, { path: '/rebind-probe', headers: foreign })).status, 403);
    assert.equal((await request(port, { path: '/flows', headers: { ...foreign, Origin: 'null' } })).status, 403);
    assert.equal(await openComms(port, foreign), 403);
    // Another local port is another origin too (another web application on this machine).
    assert.equal(await openComms(port, { ...foreign, Origin: `http://127.0.0.1:${port + 1}` }), 403);
    const own = { Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port}` };
    assert.equal((await request(port, { path: '/flows', headers: own })).status, 200);
    assert.equal(await openComms(port, own), 101);
  });
});

/** A secret of a real service, as a person exports it before `npm start`. */
const REAL_SECRET = 'real-consumer-secret-from-the-environment';
/** A flow that would hand the process environment's secret to whoever asks: what a local user without a login would deploy. */
const LEAK_FLOW = [
  { id: 'f1e0c0de00000001', type: 'tab', label: 'leak' },
  { id: 'f1e0c0de00000002', type: 'http in', z: 'f1e0c0de00000001', url: '/leak', method: 'get', wires: [['f1e0c0de00000003']] },
  {
    id: 'f1e0c0de00000003',
    type: 'function',
    z: 'f1e0c0de00000001',
    func: "msg.payload = env.get('API_OAUTH_CONSUMER_SECRET'); return msg;",
    outputs: 1,
    wires: [['f1e0c0de00000004']],
  },
  { id: 'f1e0c0de00000004', type: 'http response', z: 'f1e0c0de00000001', wires: [] },
];

async function signIn(url: string, username: string, password: string): Promise<Response> {
  return fetch(`${url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: '*', username, password }),
  });
}

describe('npm start with real credentials from the environment asks for a login', function () {
  this.timeout(120_000);
  let started: Awaited<ReturnType<typeof runStart>> | undefined;

  before(async () => {
    started = await runStart({ API_OAUTH_CONSUMER_SECRET: REAL_SECRET, NODE_RED_PASSWORD: '' });
  });

  after(() => stopStart(started));

  it('without a login, reading the flows and deploying one get 401, and no flow reads the secret', async () => {
    assert.equal((await fetch(`${started!.url}/flows`)).status, 401);
    const deploy = await fetch(`${started!.url}/flows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(LEAK_FLOW) });
    assert.equal(deploy.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const leak = await fetch(`${started!.url}/leak`);
    assert.equal(leak.status, 404);
    assert.ok(!(await leak.text()).includes(REAL_SECRET));
  });

  it('prints a password once, which signs in to the editor as admin (POST /auth/token); it is written nowhere', async () => {
    const printed = /password:\s+(\S+)/.exec(started!.output());
    assert.ok(printed, started!.output());
    const password = printed[1];
    assert.ok(password.length >= 20, 'a password nobody guesses');
    assert.equal(started!.output().split(password).length - 1, 1, 'printed once');
    // Node-RED answers a wrong password with 403.
    assert.equal((await signIn(started!.url, 'admin', 'not-the-password')).status, 403);
    const signedIn = await signIn(started!.url, 'admin', password);
    assert.equal(signedIn.status, 200);
    const { access_token: token } = (await signedIn.json()) as { access_token: string };
    const flows = await fetch(`${started!.url}/flows`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(flows.status, 200);
    // The files npm start and Node-RED write (settings.js, flows, .config.*.json, .sessions.json), beside node_modules.
    for (const file of fs.readdirSync(started!.userDir)) {
      const full = path.join(started!.userDir, file);
      if (fs.statSync(full).isFile()) assert.ok(!fs.readFileSync(full, 'utf8').includes(password), file);
    }
    assert.ok(!started!.output().includes(REAL_SECRET));
  });
});

describe('npm start with real credentials and NODE_RED_PASSWORD', function () {
  this.timeout(120_000);
  const chosen = 'a password the user chose for npm start';
  let started: Awaited<ReturnType<typeof runStart>> | undefined;

  before(async () => {
    started = await runStart({ API_OAUTH_CONSUMER_SECRET: REAL_SECRET, NODE_RED_PASSWORD: chosen });
  });

  after(() => stopStart(started));

  it('signs in with the password from NODE_RED_PASSWORD, which it never prints', async () => {
    assert.equal((await fetch(`${started!.url}/flows`)).status, 401);
    assert.equal((await signIn(started!.url, 'admin', chosen)).status, 200);
    assert.ok(!started!.output().includes(chosen));
    assert.match(started!.output(), /NODE_RED_PASSWORD/);
  });
});
