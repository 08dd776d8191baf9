/**
 * The oauth1-request node in the Node-RED runtime against a server that misbehaves on
 * purpose: every fault ends in a message or at a Catch node, the status never stays at
 * "requesting", no promise rejection goes unhandled, and no secret shows anywhere.
 */
import assert from 'node:assert/strict';
import { collectMessages, helper, loadFlow, logLines, nextMessage, wait, type FlowNode } from './support/node-red';
import {
  clockAhead,
  echo,
  hang,
  hugeJson,
  json,
  redirect,
  reset,
  respond,
  startFaultServer,
  type FaultServer,
  type RecordedRequest,
} from './support/fault-server';

const TYPES = ['oauth1-config', 'oauth1-request'];
const CREDENTIALS = {
  consumerKey: 'faults-consumer-key',
  consumerSecret: 'SECRETconsumerZq9 &+%',
  token: 'faults-token',
  tokenSecret: 'SECRETtokenXw3 /=!',
};
const HOUR = 3_600_000;

type Msg = Record<string, unknown>;
interface Status {
  fill?: string;
  shape?: string;
  text?: string;
}

function flow(baseUrl: string, request: Record<string, unknown> = {}, config: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'oauth1-config', name: 'faulty', baseUrl, retries: 3, requestTimeout: 10_000, ...config },
    { id: 'req', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'use', url: '', ret: 'obj', wires: [['out']], ...request },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'status', type: 'status', z: 'tab', scope: ['req'], wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

interface Run {
  out: Msg[];
  caught: Msg[];
  statuses: Msg[];
}

async function start(baseUrl: string, request: Record<string, unknown> = {}, config: Record<string, unknown> = {}, credentials = CREDENTIALS): Promise<Run> {
  await loadFlow(TYPES, flow(baseUrl, request, config), { cfg: credentials });
  return { out: collectMessages('out'), caught: collectMessages('caught'), statuses: collectMessages('statuses') };
}

function send(msg: Msg): void {
  helper.getNode('req').receive(msg);
}

/** The error text a Catch node got, without the "Error: " that Error.toString() may put first. */
/** The core http request node's text for a timeout, as the test runtime gives it (untranslated). */
const NO_RESPONSE = 'common.notification.errors.no-response';

function errorText(msg: Msg): string {
  return (msg.error as { message: string }).message.replace(/^/, '');
}

function lastStatus(run: Run): Status {
  return run.statuses.at(-1)?.status ?? {};
}

/** After all messages are answered, the status shows a result, never "requesting". */
async function assertSettled(run: Run): Promise<void> {
  await wait(30);
  const last = lastStatus(run);
  assert.ok(!/requesting/.test(last.text ?? ''), `status left at ${JSON.stringify(last)}`);
  assert.notEqual(last.fill, 'blue', `status left at ${JSON.stringify(last)}`);
}

/**
 * Resolves with the first message at `out` or `caught`, whichever comes first. A failure
 * goes out as a message too (its statusCode the error code, as the core node does it) and
 * then to Catch: that is a Catch outcome.
 */
function outcome(timeoutMs = 15_000): Promise<{ at: 'out' | 'caught'; msg: Msg }> {
  type Outcome = { at: 'out' | 'caught'; msg: Msg };
  const caught: Promise<Outcome> = nextMessage<Msg>('caught', timeoutMs).then((msg) => ({ at: 'caught', msg }));
  const out = nextMessage<Msg>('out', timeoutMs).then((msg): Outcome | Promise<Outcome> => (typeof msg.statusCode === 'string' ? caught : { at: 'out', msg }));
  return Promise.race([out, caught]);
}

function assertFreshlySigned(requests: RecordedRequest[]): void {
  assert.ok(requests.length > 0);
  for (const request of requests) {
    assert.equal(request.signature, 'valid', `${request.method} ${request.url}`);
    assert.equal(request.replayedNonce, false, `${request.method} ${request.url} repeats a nonce`);
  }
}

describe('oauth1-request node under faults (in the Node-RED runtime)', function () {
  this.timeout(30_000);
  let server: FaultServer;
  let otherHost: FaultServer;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    [server, otherHost] = await Promise.all([startFaultServer({ credentials: CREDENTIALS }), startFaultServer({ host: '127.0.0.2' })]);
  });
  afterEach(async () => {
    await helper.unload();
    server.requests.length = 0;
    otherHost.requests.length = 0;
    assert.deepEqual(unhandled, [], 'unhandled promise rejections');
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await Promise.all([server?.close(), otherHost?.close()]);
  });

  it('503 twice, then 200: one message with statusCode 200 and a green status, every attempt signed anew', async () => {
    server.route('/flaky', respond(503), respond(503), json({ ok: true }));
    const run = await start(server.url);
    const result = outcome();
    send({ url: 'flaky', topic: 'kept' });
    const { at, msg } = await result;
    assert.equal(at, 'out');
    assert.deepEqual([msg.statusCode, msg.payload, msg.topic], [200, { ok: true }, 'kept']);
    assert.equal(server.requestsTo('/flaky').length, 3);
    assertFreshlySigned(server.requests);
    await assertSettled(run);
    assert.equal(lastStatus(run).fill, 'green');
  });

  it('429 with Retry-After: waits as asked, then emits the 200', async () => {
    server.route('/limited', respond(429, '', { 'Retry-After': '1' }), json({ ok: true }));
    const run = await start(server.url);
    const result = outcome();
    send({ url: 'limited' });
    assert.equal((await result).msg.statusCode, 200);
    const [first, second] = server.requestsTo('/limited') as [RecordedRequest, RecordedRequest];
    assert.ok(second.receivedAt - first.receivedAt >= 990);
    await assertSettled(run);
  });

  it('a 5xx that outlasts the retries is a message with its statusCode, like the core node', async () => {
    server.route('/down', respond(502, 'bad gateway'));
    const run = await start(server.url, { ret: 'txt' }, { retries: 1 });
    const result = outcome();
    send({ url: 'down' });
    const { at, msg } = await result;
    assert.deepEqual([at, msg.statusCode, msg.payload], ['out', 502, 'bad gateway']);
    assert.equal(server.requestsTo('/down').length, 2);
    await assertSettled(run);
  });

  it('a POST whose connection is reset goes to Catch once: the job start is not repeated', async () => {
    server.route('/v1/workflows/abc/jobs/', reset(), json({ id: 'job-1' }));
    const run = await start(server.url);
    const result = outcome();
    send({ method: 'POST', url: 'v1/workflows/abc/jobs/', payload: { questions: [] }, _msgid: 'post-1' });
    const { at, msg } = await result;
    assert.equal(at, 'caught');
    assert.match(errorText(msg), /^POST v1\/workflows\/abc\/jobs\/: ECONNRESET \(127\.0\.0\.1:\d+\)$/);
    assert.equal(msg._msgid, 'post-1');
    await wait(300);
    assert.equal(server.requestsTo('/v1/workflows/abc/jobs/').length, 1);
    await assertSettled(run);
    assert.deepEqual([lastStatus(run).fill, lastStatus(run).text], ['red', 'ECONNRESET']);
  });

  it('a GET reset on every attempt goes to Catch after the retries of the config node', async () => {
    server.route('/reset', reset());
    const run = await start(server.url, {}, { retries: 1 });
    const result = outcome();
    send({ url: 'reset' });
    assert.equal((await result).at, 'caught');
    assert.equal(server.requestsTo('/reset').length, 2);
    await assertSettled(run);
  });

  it('a hanging server: msg.requestTimeout, else the config default, ends at Catch as a timeout; the node stays usable', async () => {
    server.route('/hang', hang());
    server.route('/ok', json({ ok: true }));
    const run = await start(server.url, {}, { requestTimeout: 400 });
    let result = outcome();
    const started = Date.now();
    send({ url: 'hang', requestTimeout: 150 });
    let { at, msg } = await result;
    assert.equal(at, 'caught');
    // The core node's words at Catch (its catalog key: the test runtime loads no core texts).
    assert.equal(errorText(msg), NO_RESPONSE);
    assert.ok(Date.now() - started < 5_000);
    await assertSettled(run);
    assert.deepEqual([lastStatus(run).fill, lastStatus(run).text], ['red', 'timeout']);

    result = outcome();
    send({ url: 'hang' });
    ({ msg } = await result);
    assert.equal(errorText(msg), NO_RESPONSE);
    assert.equal(server.requestsTo('/hang').length, 2, 'a timeout is not retried');

    result = outcome();
    send({ url: 'ok' });
    ({ at, msg } = await result);
    assert.deepEqual([at, msg.statusCode], ['out', 200]);
    await assertSettled(run);
  });

  it('garbage where JSON was asked for: a message with the text, and a warning', async () => {
    server.route('/garbage', respond(200, '<html>oops</html>', { 'Content-Type': 'application/json' }));
    const run = await start(server.url);
    const result = outcome();
    send({ url: 'garbage' });
    const { at, msg } = await result;
    assert.deepEqual([at, msg.payload, msg.statusCode], ['out', '<html>oops</html>', 200]);
    assert.ok(logLines().some((line) => line.includes('JSON parse error: the response is not JSON')));
    await assertSettled(run);
  });

  it('a 50 MB JSON body: one message with the parsed object', async function () {
    this.timeout(60_000);
    const size = 50 * 1024 * 1024;
    server.route('/huge', hugeJson(size));
    const run = await start(server.url);
    const result = outcome(50_000);
    send({ url: 'huge' });
    const { at, msg } = await result;
    assert.equal(at, 'out');
    assert.equal((msg.payload as { data: string }).data.length, size - '{"data":""}'.length);
    await assertSettled(run);
  });

  it('empty bodies and a BOM before JSON: defined payloads', async () => {
    server.route('/empty', respond(200, ''));
    server.route('/no-content', respond(204));
    server.route('/bom', respond(200, `\uFEFF${JSON.stringify({ id: 7 })}`, { 'Content-Type': 'application/json' }));
    const run = await start(server.url);
    const payloads: unknown[] = [];
    for (const url of ['empty', 'no-content', 'bom']) {
      const result = outcome();
      send({ url });
      const { at, msg } = await result;
      assert.equal(at, 'out', url);
      payloads.push(msg.payload);
    }
    assert.deepEqual(payloads, ['', {}, { id: 7 }]);
    assert.ok(logLines().some((line) => line.includes('JSON parse error: the response body is empty')));
    await assertSettled(run);
  });

  it('a redirect to another host: the message comes from there, which saw no credentials', async () => {
    server.route('/away', redirect(`${otherHost.url}/landing`));
    otherHost.route('/landing', echo());
    const run = await start(server.url, {}, { placement: 'query' });
    const result = outcome();
    send({ url: 'away', headers: { Authorization: 'Bearer flow-own-token' } });
    const { at, msg } = await result;
    assert.equal(at, 'out');
    assert.equal(msg.responseUrl, `${otherHost.url}/landing`);
    const [landed] = otherHost.requests as [RecordedRequest];
    assert.deepEqual([landed.headers.authorization, landed.placement, landed.url], [undefined, 'none', '/landing']);
    assertFreshlySigned(server.requests);
    await assertSettled(run);
  });

  it('an absolute msg.url to another host goes to Catch: that host gets nothing, neither signature nor PLAINTEXT secrets', async () => {
    otherHost.route('/collect', echo());
    const run = await start(server.url, {}, { placement: 'query', signatureMethod: 'PLAINTEXT' });
    const result = outcome();
    send({ url: `${otherHost.url}/collect` });
    const { at, msg } = await result;
    assert.equal(at, 'caught');
    assert.match(
      errorText(msg),
      new RegExp(`not sent: ${otherHost.url} is not the service's origin \\(${server.url}\\); to sign for it, add it to "Also sign for"`),
    );
    assert.deepEqual(otherHost.requests, []);
    await assertSettled(run);
  });

  it('the server clock an hour ahead: one message with the 200 of the re-signed retry', async () => {
    server.route('/users/v1/me', clockAhead(HOUR, json({ id: 'me' })));
    const run = await start(server.url);
    const result = outcome();
    send({ url: 'users/v1/me' });
    const { at, msg } = await result;
    assert.deepEqual([at, msg.statusCode, msg.payload], ['out', 200, { id: 'me' }]);
    assert.equal(server.requestsTo('/users/v1/me').length, 2);
    assertFreshlySigned(server.requests);
    await assertSettled(run);
  });

  it('bad input goes to Catch with a clear error, sends nothing and never leaves "requesting"', async () => {
    const circular: Msg = {};
    circular.self = circular;
    const cases: Array<[Msg, RegExp]> = [
      [{ url: 'http://exa mple.com/x' }, /^GET http:\/\/exa mple\.com\/x: invalid URL "http:\/\/exa mple\.com\/x"$/],
      [{ url: 'ftp://files.example.com/x' }, /unsupported protocol "ftp:" in "ftp:\/\/files\.example\.com\/x": use http or https$/],
      [{ url: 42 }, /^msg\.url must be a string, not number$/],
      [{ url: 'x', method: 'BREW' }, /unsupported method "BREW": use one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS$/],
      [{ url: 'x', method: 42 }, /^msg\.method must be a string such as "GET", not number$/],
      [{ url: 'x', method: { verb: 'POST' } }, /^msg\.method must be a string such as "GET", not object$/],
      [{ url: 'x', headers: 'Accept: text/plain' }, /^msg\.headers must be an object of header names and values$/],
      [{ url: 'x', headers: ['Accept'] }, /^msg\.headers must be an object/],
      [{ url: 'x', headers: { 'Bad Name': '1' } }, /invalid header name "Bad…"/],
      [{ url: 'x', method: 'POST', payload: circular }, /^POST x: cannot send the body as JSON: Converting circular structure to JSON$/],
    ];
    const run = await start(server.url);
    for (const [msg, expected] of cases) {
      const result = outcome();
      send(msg);
      const { at, msg: caught } = await result;
      assert.equal(at, 'caught', String(expected));
      assert.match(errorText(caught), expected);
      await assertSettled(run);
      assert.equal(lastStatus(run).fill, 'red');
    }
    assert.equal(server.requests.length, 0);
    assert.equal(run.out.length, 0);
  });

  it('a second request node after a first: the response headers it gets in msg.headers do not break it', async () => {
    // Pretty-printed: its Content-Length (10) is not that of the same object sent on as JSON (7).
    server.route('/first', respond(200, '{ "a": 1 }', { 'Content-Type': 'application/json' }));
    server.route('/second', echo());
    const chain = flow(server.url, { url: 'first', wires: [['second']] }, { requestTimeout: 2_000 });
    chain.push({ id: 'second', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'POST', url: 'second', ret: 'obj', wires: [['out']] });
    await loadFlow(TYPES, chain, { cfg: CREDENTIALS });
    const run: Run = { out: collectMessages('out'), caught: collectMessages('caught'), statuses: collectMessages('statuses') };
    const result = outcome(5_000);
    send({ payload: 'ignored' });
    const { at, msg } = await result;
    assert.equal(at, 'out');
    assert.equal(msg.statusCode, 200);
    // The second node posted the first response's body, whole, though msg.headers said Content-Length: 10.
    assert.deepEqual(JSON.parse(server.requestsTo('/second')[0]?.body.toString() ?? ''), { a: 1 });
    assertFreshlySigned(server.requests);
    await assertSettled(run);
  });

  it('a msg.requestTimeout that is not a positive number: a warning, and the config default applies', async () => {
    server.route('/ok', json({}));
    const run = await start(server.url);
    const result = outcome();
    send({ url: 'ok', requestTimeout: 'soon' });
    assert.equal((await result).msg.statusCode, 200);
    // The core node's warning, from its catalog (the test runtime shows the key).
    assert.ok(logLines().some((line) => line.includes('httpin.errors.timeout-isnan')));
    await assertSettled(run);
  });

  it('messages in flight together each get their own outcome, and the status settles', async () => {
    server.route('/flaky', respond(503), json({ ok: true }));
    server.route('/jobs/', reset());
    server.route('/ok', json({ ok: true }));
    const run = await start(server.url);
    for (let i = 0; i < 12; i++) send({ url: ['flaky', 'jobs/', 'ok'][i % 3], method: i % 3 === 1 ? 'POST' : 'GET', n: i });
    const deadline = Date.now() + 15_000;
    while (run.out.length + run.caught.length < 16 && Date.now() < deadline) await wait(20);
    // The 4 resets go out as messages too, with their error code (the core node's way).
    assert.equal(run.out.filter((msg) => typeof msg.statusCode === 'number').length, 8);
    assert.deepEqual(
      run.out.filter((msg) => typeof msg.statusCode === 'string').map((msg) => msg.statusCode),
      ['ECONNRESET', 'ECONNRESET', 'ECONNRESET', 'ECONNRESET'],
    );
    assert.equal(run.caught.length, 4);
    assert.ok(
      run.statuses.some((s) => /requesting \(\d+\)/.test((s.status as Status).text ?? '')),
      'the in-flight count is shown',
    );
    await assertSettled(run);
  });

  it('closing the flow while requests hang or wait to retry: no message, no error, status cleared', async () => {
    server.route('/hang', hang());
    server.route('/limited', respond(503, '', { 'Retry-After': '20' }));
    const run = await start(server.url);
    send({ url: 'hang' });
    send({ url: 'limited' });
    await Promise.all([server.waitForRequests('/hang', 1), server.waitForRequests('/limited', 1)]);
    const node = helper.getNode('req') as unknown as { status: (s: Status) => void };
    const closingStatuses: Status[] = [];
    const original = node.status.bind(node);
    node.status = (s: Status) => {
      closingStatuses.push(s);
      original(s);
    };
    await helper.unload();
    await wait(100);
    assert.deepEqual([run.out.length, run.caught.length], [0, 0]);
    assert.deepEqual(closingStatuses.at(-1), {});
    assert.equal(server.requestsTo('/limited').length, 1, 'no retry after close');
  });

  describe('secrets', () => {
    const BEARER = 'BEARERtokenMq4Lz8';

    /** Every form in which a secret could surface: raw, percent-encoded once or twice, or its distinctive part. */
    function forms(secret: string): string[] {
      return [secret, encodeURIComponent(secret), encodeURIComponent(encodeURIComponent(secret)), secret.split(' ')[0]];
    }

    function everythingSeen(run: Run): string {
      // The flow as the editor would export it: node configurations, without credentials.
      const flows = (helper as unknown as { _redNodes: { getFlows(): unknown } })._redNodes.getFlows();
      return [JSON.stringify(run.out), JSON.stringify(run.caught), JSON.stringify(run.statuses), JSON.stringify(flows), ...logLines()].join('\n');
    }

    it('never appear in messages, status, errors, logs or the flow, through retries, redirects, 401s and failures (PLAINTEXT in the query)', async () => {
      // PLAINTEXT puts the encoded secrets on the wire as oauth_signature: the worst case for leaks.
      server.route('/flaky', respond(503), json({ ok: true }));
      server.route('/moved', redirect('/flaky'));
      server.route('/away', redirect(`${otherHost.url}/landing`));
      otherHost.route('/landing', json({}));
      server.route('/skewed', clockAhead(HOUR, json({})));
      server.route('/reset', reset());
      server.route('/hang', hang());
      server.route('/refused', json({ message: 'The provided signature(oauth_signature) is invalid.' }, 401));
      const run = await start(server.url, { ret: 'txt' }, { placement: 'query', signatureMethod: 'PLAINTEXT', retries: 1, requestTimeout: 300 });
      for (const url of ['flaky', 'moved', 'away', 'skewed', 'reset', 'hang', 'refused', 'ftp://x/', 'http://[::1']) {
        const result = outcome();
        send({ url });
        await result;
      }
      await assertSettled(run);
      assert.ok(run.out.length >= 5 && run.caught.length >= 3);
      assert.ok(
        logLines().some((line) => line.includes('retry 1 of 1')),
        'retries were logged',
      );
      assert.ok(
        server.requests.some((r) => r.url.includes('oauth_signature=')),
        'the secrets were on the wire',
      );
      const seen = everythingSeen(run);
      for (const secret of [CREDENTIALS.consumerSecret, CREDENTIALS.tokenSecret]) {
        for (const form of forms(secret)) assert.ok(!seen.includes(form), `${form} leaked`);
      }
      assert.ok(!seen.includes('oauth_signature='), 'a signature leaked');
    });

    it('bearer tokens and the client secret of OAuth 2 never appear either', async () => {
      let tokens = 0;
      server.route('/webapi/oauth2/token', (request, res) => {
        tokens++;
        json({ access_token: `${BEARER}${tokens}`, token_type: 'bearer', expires_in: 3600 })(request, res, Date.now());
      });
      // The first call is refused: the token is dropped and fetched anew.
      server.route('/webapi/v1/workflows/', json({ message: 'token expired' }, 401), json([{ id: 'w1' }]));
      server.route('/webapi/v1/jobs/', respond(503), reset());
      const run = await start(`${server.url}/webapi`, { ret: 'obj' }, { scheme: 'oauth2', retries: 1, requestTimeout: 300 });
      for (const msg of [{ url: 'v1/workflows/' }, { url: 'v1/jobs/' }, { url: 'v1/workflows/', method: 'BREW' }]) {
        const result = outcome();
        send(msg);
        await result;
      }
      assert.equal(tokens, 2);
      assert.ok(
        server.requestsTo('/webapi/v1/workflows/').every((r) => r.headers.authorization?.startsWith(`Bearer ${BEARER}`)),
        'bearer tokens were used',
      );
      assert.ok(
        server.requestsTo('/webapi/oauth2/token').every((r) => r.body.toString().includes('client_secret=')),
        'the client secret was sent',
      );
      const seen = everythingSeen(run);
      for (const form of [BEARER, ...forms(CREDENTIALS.consumerSecret)]) assert.ok(!seen.includes(form), `${form} leaked`);
      await assertSettled(run);
    });

    it('are password credentials: the editor gets only has_… flags and exports never hold them', async () => {
      await start(server.url);
      const definition = (
        helper as unknown as { _redNodes: { getCredentialDefinition(type: string): Record<string, { type: string }> } }
      )._redNodes.getCredentialDefinition('oauth1-config');
      assert.equal(definition.consumerSecret?.type, 'password');
      assert.equal(definition.tokenSecret?.type, 'password');
    });
  });
});
