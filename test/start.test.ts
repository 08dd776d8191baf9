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
    // What a reload of the editor fetches: the node definitions, and the editor script they load.
    const definitions = await (await fetch(`${editorUrl}/nodes`, { headers: { Accept: 'text/html' } })).text();
    for (const type of ['oauth1-config', 'oauth1-request', PALETTE_PACKAGE.type]) assert.match(definitions, new RegExp(`["']${type}["']`), type);
    const editorScript = await fetch(`${editorUrl}/resources/node-red-contrib-oauth1/oauth1-editor.js`);
    assert.equal(editorScript.status, 200);
    assert.match(await editorScript.text(), /function createOAuth1Editor/);
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
    const child = startScript({ PORT: String(ports.PORT), DEMO_PORT: String(ports.DEMO_PORT), NODE_RED_USER_DIR: userDir });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
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
});
