/**
 * A service that echoes the request it got (Authorization header, URL with oauth_* pairs)
 * in its error bodies: no secret of the config may reach an error text, a status text or a
 * log line of any node, with a Catch node and without one (then the runtime logs the error).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentEncode } from '../src/lib/oauth1';
import { collectMessages, helper, loadFlow, logLines, wait, type FlowNode } from './support/node-red';

const SECRETS = { consumerKey: 'echo-key', consumerSecret: 'cs!Secret *Zq9', token: 'tok-Secret-77', tokenSecret: 'ts/Secret+Wx' };
const ACCESS_TOKEN = 'bearer-Secret-Q1w2e3';

/** Every form in which a secret could come back. */
function forbidden(): string[] {
  const values = [
    SECRETS.consumerSecret,
    SECRETS.token,
    SECRETS.tokenSecret,
    ACCESS_TOKEN,
    `${percentEncode(SECRETS.consumerSecret)}&${percentEncode(SECRETS.tokenSecret)}`,
  ];
  return values.flatMap((value) => [value, encodeURIComponent(value), percentEncode(value), percentEncode(percentEncode(value))]);
}

interface EchoService {
  url: string;
  hits: number;
  close(): Promise<void>;
}

/** Answers every request with its method, URL and Authorization header in the error body: 401 for get me, 500 otherwise. */
async function startEchoService(): Promise<EchoService> {
  const service = { url: '', hits: 0, close: async () => undefined as void };
  const server = http.createServer((req, res) => {
    service.hits++;
    req.resume();
    if (req.url?.includes('/oauth2/token')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'bearer', expires_in: 3600 }));
      return;
    }
    const echo = `you sent ${req.method} ${req.url} with Authorization: ${req.headers.authorization ?? 'none'}`;
    const status = req.url?.includes('/users/v1/me') ? 401 : 500;
    if (req.url?.includes('/raw/')) res.writeHead(status, { 'content-type': 'text/plain' }).end(echo);
    else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'ECHO', message: echo }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.close = () => new Promise((resolve) => server.close(() => resolve()));
  return service;
}

function flow(baseUrl: string, config: Record<string, unknown>, withCatch: boolean): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'oauth1-config', name: 'echo', baseUrl, retries: 0, ...config },
    { id: 'req', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'GET', url: 'raw/x?q=1', ret: 'obj', wires: [['out']] },
    { id: 'me', type: 'oauth1-get-me', z: 'tab', server: 'cfg', wires: [['out']] },
    {
      id: 'run',
      type: 'oauth1-run-workflow',
      z: 'tab',
      server: 'cfg',
      workflowId: 'wf1',
      priority: '0',
      wait: true,
      pollInterval: 0.05,
      timeout: 5,
      outputFormat: '',
      wires: [['out']],
    },
    { id: 'out', type: 'helper', z: 'tab' },
    ...(withCatch ? [{ id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] }] : []),
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'status', type: 'status', z: 'tab', scope: null, wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

const TYPES = ['oauth1-config', 'oauth1-request', 'oauth1-get-me', 'oauth1-run-workflow'];
const SETUPS: Array<[string, Record<string, unknown>, string]> = [
  ['PLAINTEXT in the query', { signatureMethod: 'PLAINTEXT', placement: 'query' }, ''],
  ['PLAINTEXT in the header', { signatureMethod: 'PLAINTEXT', placement: 'header' }, ''],
  ['HMAC-SHA1 in the query', { signatureMethod: 'HMAC-SHA1', placement: 'query' }, ''],
  ['an OAuth 2 bearer token', { scheme: 'oauth2' }, '/webapi'],
];

describe('secrets echoed back by a service', function () {
  this.timeout(20_000);
  let service: EchoService;
  before(async () => {
    service = await startEchoService();
  });
  after(() => service?.close());
  afterEach(() => helper.unload());

  for (const withCatch of [true, false]) {
    for (const [setup, config, path] of SETUPS) {
      it(`never shows a secret in an error, status or log line: ${setup}, ${withCatch ? 'with' : 'without'} a Catch node`, async () => {
        await loadFlow(TYPES, flow(service.url + path, config, withCatch), { cfg: SECRETS });
        const seen = [collectMessages('caught'), collectMessages('statuses'), collectMessages('out')];
        const hits = service.hits;
        for (const id of ['req', 'me', 'run']) helper.getNode(id).receive({ payload: {} });
        const started = Date.now();
        while (seen[1].filter((msg) => (msg.status as { fill?: string }).fill !== 'blue').length < 3 && Date.now() - started < 5_000) await wait(20);
        await wait(50);
        assert.ok(service.hits > hits, 'the service was asked');
        const errorsAndStatuses = JSON.stringify(seen.slice(0, 2).map((messages) => messages.map((msg) => ({ error: msg.error, status: msg.status }))));
        const logs = logLines().join('\n');
        // The echo did reach the texts, only without its secrets.
        assert.match(withCatch ? errorsAndStatuses : logs, /you sent/);
        for (const secret of forbidden()) {
          assert.ok(!errorsAndStatuses.includes(secret), `error or status text shows ${secret}: ${errorsAndStatuses}`);
          assert.ok(!logs.includes(secret), `a log line shows ${secret}: ${logs}`);
        }
      });
    }
  }
});
