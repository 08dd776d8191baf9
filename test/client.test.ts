/**
 * The HTTP client under faults, against a local server that misbehaves on purpose. Every
 * request the server gets is checked for a valid signature over what was sent and a nonce
 * it has not seen before.
 */
import assert from 'node:assert/strict';
import { HttpClient, type ClientResponse } from '../src/lib/client';
import {
  againAfterLimit,
  backoff,
  followRedirect,
  parseRetryAfter,
  refreshCredentials,
  resignForClock,
  retryAfterFailure,
  retryAfterStatus,
  takeHop,
} from '../src/lib/client-decisions';
import { RequestError } from '../src/lib/request-error';
import { ServiceLimits } from '../src/lib/service-limits';
import { decodeResponse } from '../src/lib/response';
import type { OAuth1Credentials } from '../src/lib/oauth1';
import { createServiceClient, OAuth1Authorizer, type ServiceOptions } from '../src/lib/service';
import {
  clockAhead,
  closeMidBody,
  echo,
  hang,
  hugeJson,
  json,
  redirect,
  reset,
  resetMidBody,
  respond,
  startFaultServer,
  type FaultServer,
  type RecordedRequest,
} from './support/fault-server';
import { requestRejection } from './support/assertions';
import { fakeClock, settle } from './support/fake-clock';

const CREDENTIALS: OAuth1Credentials = {
  consumerKey: 'fault-consumer',
  consumerSecret: 'CONSUMER-secret-Q7v & more',
  token: 'fault-token',
  tokenSecret: 'TOKEN-secret-K2p %+',
};

const HOUR = 3_600_000;

/** Every attempt signed for what it sent, with a nonce the server had not seen. */
function assertFreshlySigned(requests: RecordedRequest[]): void {
  assert.ok(requests.length > 0, 'no request reached the server');
  for (const request of requests) {
    assert.equal(request.signature, 'valid', `${request.method} ${request.url} is not signed for what was sent`);
    assert.equal(request.replayedNonce, false, `${request.method} ${request.url} repeats a nonce`);
  }
  assert.equal(new Set(requests.map((r) => r.oauth.oauth_nonce)).size, requests.length);
}

/** How far from the local clock the client signs now: the timestamp of a request to `/stamp`, minus now. */
async function signingOffset(http: HttpClient): Promise<number> {
  const response = await http.request<{ timestamp: string }>({ url: '/stamp', responseType: 'json' });
  return Number(response.body.timestamp) * 1000 - Date.now();
}

describe('HTTP client under faults (src/lib/client)', function () {
  this.timeout(20_000);
  let server: FaultServer;
  let otherHost: FaultServer;
  const clients: HttpClient[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  /** A client of the fault server, signing with {@link CREDENTIALS}; short backoff unless asked. */
  function client(settings: Partial<ServiceOptions> & { retryBaseDelayMs?: number; maxRetryDelayMs?: number; maxRedirects?: number } = {}): HttpClient {
    const { credentials = CREDENTIALS, placement, signatureMethod, retryBaseDelayMs = 10, ...options } = settings;
    const authorizer = new OAuth1Authorizer(credentials, { placement, signatureMethod });
    const created = new HttpClient({ baseUrl: server.url, retries: 3, retryBaseDelayMs, ...options, authorizer });
    clients.push(created);
    return created;
  }

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    // 127.0.0.2 is loopback too, but another origin: what a redirect to another host looks like.
    [server, otherHost] = await Promise.all([startFaultServer({ credentials: CREDENTIALS }), startFaultServer({ host: '127.0.0.2' })]);
    // Without a Date header: reading the timestamp must not teach the client a clock.
    server.route('/stamp', (request, res) => {
      res.sendDate = false;
      json({ timestamp: request.oauth.oauth_timestamp })(request, res, 0);
    });
  });
  afterEach(() => {
    for (const created of clients.splice(0)) created.destroy();
    server.requests.length = 0;
    otherHost.requests.length = 0;
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await Promise.all([server?.close(), otherHost?.close()]);
    assert.deepEqual(unhandled, [], 'unhandled promise rejections');
  });

  describe('retries', () => {
    it('retries a GET after 503 twice and returns the 200, each attempt signed anew', async () => {
      server.route('/flaky', respond(503), respond(503), json({ ok: true }));
      const response = await client().request({ url: '/flaky', responseType: 'json' });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.body, { ok: true });
      assert.equal(response.attempts, 3);
      assert.equal(server.requestsTo('/flaky').length, 3);
      assertFreshlySigned(server.requests);
    });

    it('gives up after the configured number of retries and returns the last 5xx as a response', async () => {
      server.route('/down', respond(503, 'down'));
      const response = await client({ retries: 2 }).request({ url: '/down' });
      assert.equal(response.statusCode, 503);
      assert.equal(response.body, 'down');
      assert.equal(server.requestsTo('/down').length, 3);
      assertFreshlySigned(server.requests);
    });

    it('retries nothing with retries: 0', async () => {
      server.route('/down', respond(503));
      assert.equal((await client({ retries: 0 }).request({ url: '/down' })).statusCode, 503);
      assert.equal(server.requestsTo('/down').length, 1);
    });

    it('retries the idempotent GET, HEAD, PUT and DELETE on 5xx, never POST or PATCH', async () => {
      const http = client({ retries: 1 });
      for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'PATCH']) {
        server.route(`/${method}`, respond(500));
        await http.request({ method, url: `/${method}`, body: { n: 1 } });
        const expected = method === 'POST' || method === 'PATCH' ? 1 : 2;
        assert.equal(server.requestsTo(`/${method}`).length, expected, method);
      }
      assertFreshlySigned(server.requests);
    });

    it('does not retry 501 Not Implemented or a 4xx other than 429', async () => {
      server.route('/501', respond(501));
      server.route('/404', respond(404));
      const http = client();
      assert.equal((await http.request({ url: '/501' })).statusCode, 501);
      assert.equal((await http.request({ url: '/404' })).statusCode, 404);
      assert.equal(server.requests.length, 2);
    });

    it('never retries a POST after a 503: a job start is not duplicated', async () => {
      server.route('/jobs/', respond(503), json({ id: 'job' }));
      const response = await client().request({ method: 'POST', url: '/jobs/', body: { questions: [] } });
      assert.equal(response.statusCode, 503);
      assert.equal(server.requestsTo('/jobs/').filter((r) => r.method === 'POST').length, 1);
    });

    it('never retries a POST after a connection reset', async () => {
      server.route('/jobs/', reset(), json({ id: 'job' }));
      const error = await requestRejection(client().request({ method: 'POST', url: '/jobs/', body: { questions: [] } }));
      assert.equal(error.code, 'ENETWORK');
      assert.equal(error.systemCode, 'ECONNRESET');
      assert.equal(server.requestsTo('/jobs/').length, 1);
    });

    it('retries a GET after a connection reset or close, before the headers or in the middle of the body', async () => {
      server.route('/reset', reset(), resetMidBody(), closeMidBody(), json({ ok: true }));
      const response = await client().request({ url: '/reset', responseType: 'json' });
      assert.deepEqual(response.body, { ok: true });
      assert.equal(server.requestsTo('/reset').length, 4);
      assertFreshlySigned(server.requests);
    });

    it('reports a reset that outlasts the retries as ECONNRESET with the host, no secret', async () => {
      server.route('/reset', reset());
      const error = await requestRejection(client({ retries: 2 }).request({ url: '/reset?x=1' }));
      assert.equal(error.code, 'ENETWORK');
      assert.match(error.message, /^ECONNRESET \(127\.0\.0\.1:\d+\)$/);
      assert.equal(server.requestsTo('/reset').length, 3);
    });

    it('backs off exponentially with jitter: each wait between half and all of base × 2^(n-1)', async () => {
      server.route('/slow-recovery', respond(503), respond(503), respond(503), json({}));
      const base = 60;
      await client({ retryBaseDelayMs: base }).request({ url: '/slow-recovery' });
      const times = server.requestsTo('/slow-recovery').map((r) => r.receivedAt);
      assert.equal(times.length, 4);
      for (let n = 1; n < 4; n++) {
        const gap = times[n] - times[n - 1];
        const ceiling = base * 2 ** (n - 1);
        assert.ok(gap >= ceiling / 2 - 2, `wait ${n} was ${gap} ms, under ${ceiling / 2}`);
        // Generous: other test runs share this machine.
        assert.ok(gap < ceiling + 1000, `wait ${n} was ${gap} ms`);
      }
    });

    it('waits as long as a 429 Retry-After asks, then retries', async () => {
      server.route('/limited', respond(429, 'slow down', { 'Retry-After': '1' }), json({ ok: true }));
      const response = await client().request({ url: '/limited', responseType: 'json' });
      assert.equal(response.statusCode, 200);
      const [first, second] = server.requestsTo('/limited');
      assert.ok(second.receivedAt - first.receivedAt >= 990, 'Retry-After: 1 not honoured');
      assertFreshlySigned(server.requests);
    });

    it('waits for a Retry-After beyond 30 s (45 s) when Max wait allows, every request of the service with it, then sends again signed anew', async () => {
      server.route('/limited', respond(429, 'slow down', { 'Retry-After': '45' }), json({ ok: true }));
      const clock = fakeClock();
      try {
        const limited = client({ limits: new ServiceLimits({ maxWaitMs: 60_000 }) });
        const first = limited.request({ url: '/limited', responseType: 'json' });
        while (server.requestsTo('/limited').length < 1) await settle();
        await clock.advance(1_000);
        const second = limited.request({ url: '/limited', responseType: 'json' });
        await clock.advance(43_000);
        assert.equal(server.requestsTo('/limited').length, 1, 'both held by the pause the service ordered');
        await clock.advance(1_000);
        assert.deepEqual([(await first).statusCode, (await second).statusCode], [200, 200]);
        assert.equal(server.requestsTo('/limited').length, 3);
        assertFreshlySigned(server.requests);
      } finally {
        clock.restore();
      }
    });

    it('honours Retry-After on a 503 too', async () => {
      server.route('/maintenance', respond(503, '', { 'Retry-After': '0.3' }), json({}));
      await client({ retryBaseDelayMs: 1 }).request({ url: '/maintenance' });
      const [first, second] = server.requestsTo('/maintenance');
      assert.ok(second.receivedAt - first.receivedAt >= 290);
    });

    it('returns a 429 at once when Retry-After asks for longer than Max wait', async () => {
      server.route('/limited', respond(429, 'come back in an hour', { 'Retry-After': '3600' }));
      // On a clock that does not move, a client that waited would never answer (mocha's timeout).
      const clock = fakeClock();
      try {
        const response = await client({ limits: new ServiceLimits({ maxWaitMs: 5_000 }) }).request({ url: '/limited' });
        assert.equal(response.statusCode, 429);
        assert.equal(response.headers['retry-after'], '3600');
        assert.equal(server.requestsTo('/limited').length, 1);
      } finally {
        clock.restore();
      }
    });

    it('reads Retry-After as seconds or as an HTTP date', () => {
      const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
      assert.equal(parseRetryAfter('120', now), 120_000);
      assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now), 30_000);
      assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
      assert.equal(parseRetryAfter('soon', now), undefined);
      assert.equal(parseRetryAfter(undefined, now), undefined);
    });

    it('counts retries apart from redirects', async () => {
      server.route('/moved', redirect('/moved-here'));
      server.route('/moved-here', respond(503), respond(503), json({}));
      const response = await client({ retries: 2 }).request({ url: '/moved' });
      assert.equal(response.statusCode, 200);
      assert.equal(response.attempts, 4);
    });
  });

  describe('timeouts and aborts', () => {
    it('ends a hanging request with ETIMEDOUT after the time asked, not before, without retrying it, and stays usable', async () => {
      server.route('/hang', hang());
      server.route('/ok', json({ ok: true }));
      const http = client();
      const clock = fakeClock();
      try {
        let finished = false;
        const pending = http
          .request({ url: '/hang', timeoutMs: 200 })
          .then(
            () => undefined,
            (error: unknown) => error,
          )
          .finally(() => (finished = true));
        await server.waitForRequests('/hang', 1);
        await clock.advance(199);
        assert.equal(finished, false, 'still waiting at 199 ms');
        await clock.advance(1);
        const error = await pending;
        assert.ok(error instanceof RequestError, String(error));
        assert.equal(error.code, 'ETIMEDOUT');
        assert.equal(error.message, 'no response within 200 ms');
        assert.equal(server.requestsTo('/hang').length, 1);
        assert.equal((await http.request({ url: '/ok' })).statusCode, 200);
      } finally {
        clock.restore();
      }
    });

    it('times out a body that stops half-way', async () => {
      server.route('/stall', (_request, res) => {
        res.writeHead(200, { 'Content-Length': '100' });
        res.write('only a part');
      });
      const error = await requestRejection(client({ timeoutMs: 200 }).request({ url: '/stall' }));
      assert.equal(error.code, 'ETIMEDOUT');
    });

    it('takes the client default when the request names no usable timeout, and caps huge ones', async () => {
      server.route('/hang', hang());
      server.route('/ok', json({}));
      const http = client({ timeoutMs: 150 });
      for (const timeoutMs of [undefined, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.equal((await requestRejection(http.request({ url: '/hang', timeoutMs }))).message, 'no response within 150 ms', String(timeoutMs));
      }
      // Beyond setTimeout's 2^31-1 ms, Node fires at once; capped, the request has all the time it needs.
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on('warning', onWarning);
      try {
        assert.equal((await http.request({ url: '/ok', timeoutMs: 1e12 })).statusCode, 200);
      } finally {
        process.off('warning', onWarning);
      }
      assert.deepEqual(
        warnings.map((w) => w.name),
        [],
      );
    });

    // On a fake clock that stands still after the abort: an end that waited for a timer would never come.
    it('an abort ends a Retry-After wait at once', async () => {
      server.route('/limited', respond(503, '', { 'Retry-After': '20' }), json({}));
      const clock = fakeClock();
      try {
        const controller = new AbortController();
        const pending = client().request({ url: '/limited', signal: controller.signal });
        await server.waitForRequests('/limited', 1);
        await clock.advance(10);
        controller.abort();
        const error = await requestRejection(pending);
        assert.equal(error.code, 'EABORTED');
        assert.equal(server.requestsTo('/limited').length, 1);
      } finally {
        clock.restore();
      }
    });

    it('an abort ends a backoff wait and a hanging request at once', async () => {
      server.route('/hang', hang());
      server.route('/reset', reset());
      const http = client({ retryBaseDelayMs: 10_000, maxRetryDelayMs: 20_000 });
      const clock = fakeClock();
      try {
        for (const path of ['/hang', '/reset']) {
          const controller = new AbortController();
          const pending = http.request({ url: path, signal: controller.signal });
          await server.waitForRequests(path, 1);
          await clock.advance(20);
          controller.abort();
          assert.equal((await requestRejection(pending)).code, 'EABORTED', path);
        }
      } finally {
        clock.restore();
      }
    });

    it('sends nothing when the signal is already aborted', async () => {
      server.route('/ok', json({}));
      const error = await requestRejection(client().request({ url: '/ok', signal: AbortSignal.abort() }));
      assert.equal(error.code, 'EABORTED');
      assert.equal(server.requests.length, 0);
    });
  });

  describe('clock skew', () => {
    it('with the server clock an hour ahead: the 401 is followed by one retry signed with the server time', async () => {
      server.route('/users/v1/me', clockAhead(HOUR, json({ id: 'me' })));
      const http = client();
      const response = await http.request({ url: '/users/v1/me', responseType: 'json' });
      assert.equal(response.statusCode, 200);
      assert.equal(response.attempts, 2);
      const [refused, accepted] = server.requestsTo('/users/v1/me') as [RecordedRequest, RecordedRequest];
      assert.ok(Math.abs(Number(refused.oauth.oauth_timestamp) * 1000 - Date.now()) < 10_000, 'first attempt not signed with the local time');
      assert.ok(Math.abs(Number(accepted.oauth.oauth_timestamp) * 1000 - (Date.now() + HOUR)) < 10_000, 'retry not signed with the server time');
      assertFreshlySigned(server.requests);
      // Learnt once, used from then on: the next request is right the first time.
      assert.equal((await http.request({ url: '/users/v1/me' })).attempts, 1);
    });

    it('retries a 401 once only: a signature the server keeps refusing comes back as the 401', async () => {
      server.route('/refused', (request, res) => {
        res.setHeader('Date', new Date(Date.now() + HOUR * (server.requestsTo('/refused').length + 1)).toUTCString());
        json({ message: 'The provided signature(oauth_signature) is invalid.' }, 401)(request, res, Date.now());
      });
      const response = await client().request({ url: '/refused' });
      assert.equal(response.statusCode, 401);
      assert.equal(server.requestsTo('/refused').length, 2);
    });

    it('does not retry a 401 when the clocks agree', async () => {
      server.route('/refused', json({ message: 'invalid' }, 401));
      assert.equal((await client().request({ url: '/refused' })).statusCode, 401);
      assert.equal(server.requestsTo('/refused').length, 1);
    });

    it('ignores a skew under a minute, and forgets the offset when the server clock is put right', async () => {
      let ahead = 30_000;
      server.route('/time', (request, res) => {
        res.setHeader('Date', new Date(Date.now() + ahead).toUTCString());
        json({})(request, res, Date.now());
      });
      const http = client();
      await http.request({ url: '/time' });
      assert.ok(Math.abs(await signingOffset(http)) < 5_000);
      ahead = HOUR;
      await http.request({ url: '/time' });
      assert.ok(Math.abs((await signingOffset(http)) - HOUR) < 5_000);
      ahead = 0;
      await http.request({ url: '/time' });
      assert.ok(Math.abs(await signingOffset(http)) < 5_000);
    });
  });

  describe('redirects', () => {
    for (const placement of ['header', 'query'] as const) {
      it(`re-signs a same-origin redirect for the new URL with a new nonce (${placement} placement)`, async () => {
        server.route('/old', redirect('/new?x=1', 301));
        server.route('/new', echo());
        const response = await client({ placement }).request({ url: '/old', responseType: 'json' });
        assert.equal(response.statusCode, 200);
        assert.equal(response.url, `${server.url}/new?x=1`);
        const landed = response.body as { method: string; url: string; placement: string; signature: string };
        assert.deepEqual([landed.method, landed.placement, landed.signature], ['GET', placement, 'valid']);
        assert.equal(landed.url.split('&oauth_')[0], '/new?x=1');
        assertFreshlySigned(server.requests);
      });

      it(`sends no credentials to another host: no Authorization, no oauth_*, no header of the user's (${placement} placement)`, async () => {
        server.route('/away', redirect(`${otherHost.url}/landing?y=2`, 307));
        otherHost.route('/landing', echo());
        const response = await client({ placement }).request({
          url: '/away',
          headers: { Authorization: 'Bearer users-own-token', Cookie: 'session=1', 'X-Kept': 'yes' },
          responseType: 'json',
        });
        assert.equal(response.statusCode, 200);
        assert.equal(response.url, `${otherHost.url}/landing?y=2`);
        const [landed] = otherHost.requests as [RecordedRequest];
        assert.equal(landed.headers.authorization, undefined);
        assert.equal(landed.headers.cookie, undefined);
        assert.equal(landed.placement, 'none');
        assert.equal(landed.url, '/landing?y=2');
        assert.equal(landed.headers['x-kept'], undefined);
      });
    }

    it('drops stale oauth_* pairs a server copies into Location and signs the hop once', async () => {
      server.route('/jobs/abc/', (request, res) => redirect(`/jobs/abc/output/?format=Csv&${request.url.split('?')[1]}`)(request, res, 0));
      server.route('/jobs/abc/output/', echo());
      await client({ placement: 'query' }).request({ url: '/jobs/abc/' });
      const [, hop] = server.requests as [RecordedRequest, RecordedRequest];
      assert.equal((hop.url.match(/oauth_nonce=/g) ?? []).length, 1);
      assertFreshlySigned(server.requests);
    });

    it('continues a POST answered with 303 as a GET without body', async () => {
      server.route('/jobs/', redirect('/jobs/1/', 303));
      server.route('/jobs/1/', echo());
      const response = await client().request({ method: 'POST', url: '/jobs/', body: { questions: [] }, responseType: 'json' });
      assert.equal((response.body as { method: string }).method, 'GET');
      const [, hop] = server.requests as [RecordedRequest, RecordedRequest];
      assert.equal(hop.body.length, 0);
      assert.equal(hop.headers['content-type'], undefined);
      assertFreshlySigned(server.requests);
    });

    it('keeps the method and body of a POST answered with 307, signed anew', async () => {
      server.route('/jobs/', redirect('/v2/jobs/', 307));
      server.route('/v2/jobs/', echo());
      await client().request({ method: 'POST', url: '/jobs/', body: { questions: [] } });
      const [, hop] = server.requests as [RecordedRequest, RecordedRequest];
      assert.equal(hop.method, 'POST');
      assert.equal(hop.body.toString(), '{"questions":[]}');
      assertFreshlySigned(server.requests);
    });

    it('stops a redirect loop with ETOOMANYREDIRECTS', async () => {
      server.route('/loop', redirect('/loop'));
      const error = await requestRejection(client({ maxRedirects: 3 }).request({ url: '/loop' }));
      assert.equal(error.code, 'ETOOMANYREDIRECTS');
      assert.equal(server.requestsTo('/loop').length, 4);
    });

    it('refuses a Location that is not an http(s) URL with a clear error', async () => {
      server.route('/ftp', redirect('ftp://files.example.com/x'));
      server.route('/broken', redirect('http://[::1'));
      const http = client();
      assert.match((await requestRejection(http.request({ url: '/ftp' }))).message, /redirected \(302\) to an unsupported protocol "ftp:"/);
      assert.match((await requestRejection(http.request({ url: '/broken' }))).message, /redirected \(302\) to an invalid URL/);
    });

    it('does not learn the clock of the host it was redirected to', async () => {
      server.route('/away', redirect(`${otherHost.url}/skewed`));
      otherHost.route('/skewed', (request, res) => {
        res.setHeader('Date', new Date(Date.now() + HOUR).toUTCString());
        json({})(request, res, Date.now());
      });
      const http = client();
      await http.request({ url: '/away' });
      assert.ok(Math.abs(await signingOffset(http)) < 5_000);
    });

    it('does not follow a redirect of the OAuth 2 token request to another host: its body holds the client secret', async () => {
      server.route('/oauth2/token', redirect(`${otherHost.url}/oauth2/token`, 307));
      server.route('/v1/workflows/', json([]));
      const http = createServiceClient({ baseUrl: server.url, scheme: 'oauth2', credentials: CREDENTIALS, retries: 0 });
      clients.push(http);
      const error = await requestRejection(http.request({ url: '/v1/workflows/' }));
      assert.match(error.message, /OAuth 2 token request failed with HTTP 307/);
      assert.equal(otherHost.requests.length, 0);
      assert.equal(server.requestsTo('/v1/workflows/').length, 0);
    });
  });

  describe("the user's Authorization header", () => {
    it('never reaches the service beside the signature, whatever its spelling and the placement', async () => {
      server.route('/who', echo());
      for (const placement of ['header', 'query'] as const) {
        for (const name of ['Authorization', 'authorization', 'AUTHORIZATION']) {
          server.requests.length = 0;
          await client({ placement }).request({ url: '/who', headers: { [name]: 'Basic dXNlcjpwYXNz' } });
          const [received] = server.requests as [RecordedRequest];
          assert.doesNotMatch(String(received.headers.authorization ?? ''), /Basic/, `${name}, ${placement} placement`);
          assert.equal(received.placement, placement);
          assertFreshlySigned(server.requests);
        }
      }
    });
  });

  describe('awkward responses', () => {
    it('returns a body that is not JSON as text, with jsonError, when JSON was asked for', async () => {
      server.route('/garbage', respond(200, '{"id": 1,,]', { 'Content-Type': 'application/json' }));
      const response = await client().request({ url: '/garbage', responseType: 'json' });
      assert.equal(response.statusCode, 200);
      assert.equal(response.body, '{"id": 1,,]');
      assert.match(response.jsonError ?? '', /^the response is not JSON \(/);
    });

    it('receives a 50 MB body whole', async function () {
      this.timeout(60_000);
      const size = 50 * 1024 * 1024;
      server.route('/huge', hugeJson(size));
      const response = await client().request<{ data: string }>({ url: '/huge', responseType: 'json' });
      assert.equal(response.statusCode, 200);
      assert.equal(response.jsonError, undefined);
      assert.equal(response.body.data.length, size - '{"data":""}'.length);
    });

    it('gives an empty body a defined value for each response type', async () => {
      server.route('/empty', respond(200, ''));
      server.route('/no-content', respond(204));
      const http = client();
      const asJson = await http.request({ url: '/empty', responseType: 'json' });
      assert.equal(asJson.body, '');
      assert.equal(asJson.jsonError, 'the response body is empty');
      assert.equal((await http.request({ url: '/empty', responseType: 'text' })).body, '');
      assert.deepEqual((await http.request({ url: '/empty', responseType: 'buffer' })).body, Buffer.alloc(0));
      // As in the core http request node, "No Content" reads as an empty object.
      const noContent = await http.request({ url: '/no-content', responseType: 'json' });
      assert.deepEqual([noContent.statusCode, noContent.body, noContent.jsonError], [204, {}, undefined]);
      const head = await http.request({ method: 'HEAD', url: '/empty', responseType: 'json' });
      assert.deepEqual([head.body, head.jsonError], ['', undefined]);
    });

    it('parses JSON that starts with a byte order mark', async () => {
      server.route(
        '/bom',
        respond(200, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"Országos"}')]), {
          'Content-Type': 'application/json; charset=utf-8',
        }),
      );
      const response = await client().request({ url: '/bom', responseType: 'json' });
      assert.deepEqual(response.body, { name: 'Országos' });
      assert.equal(response.jsonError, undefined);
      assert.equal((await client().request<Buffer>({ url: '/bom', responseType: 'buffer' })).body[0], 0xef);
    });

    it('turns a response that is not HTTP into a network error, not a crash', async () => {
      server.route('/not-http', (_request, res) => {
        res.socket?.end('SSH-2.0-OpenSSH_9.6\r\n');
      });
      const error = await requestRejection(client({ retries: 0 }).request({ url: '/not-http' }));
      assert.equal(error.code, 'ENETWORK');
    });
  });

  describe('bad input', () => {
    it('refuses an unsupported method before sending anything', async () => {
      const http = client();
      // TRACE is sent when asked for, as the core node sends it.
      for (const method of ['BREW', 'get me', 'CONNECT']) {
        const error = await requestRejection(http.request({ method, url: '/x' }));
        assert.equal(error.code, 'EINVALIDMETHOD');
        assert.match(error.message, /^unsupported method ".*": use one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS$/);
      }
      assert.equal(server.requests.length, 0);
    });

    it('refuses malformed URLs with EINVALIDURL and says what is wrong', async () => {
      const http = client();
      const cases: Array<[string, RegExp]> = [
        ['http://exa mple.com/', /^invalid URL "http:\/\/exa mple\.com\/"$/],
        ['http://[::1', /^invalid URL/],
        ['ftp://files.example.com/x', /^unsupported protocol "ftp:" in "ftp:\/\/files\.example\.com\/x": use http or https$/],
        ['http://', /^invalid URL/],
      ];
      for (const [url, message] of cases) {
        const error = await requestRejection(http.request({ url }));
        assert.equal(error.code, 'EINVALIDURL', url);
        assert.match(error.message, message);
      }
      const baseless = new HttpClient({ authorizer: new OAuth1Authorizer(CREDENTIALS) });
      assert.match(
        (await requestRejection(baseless.request({ url: 'users/v1/me' }))).message,
        /"users\/v1\/me" is relative and the config node has no base URL/,
      );
      assert.match((await requestRejection(baseless.request({ url: '' }))).message, /no URL: set msg.url or a base URL/);
      assert.equal(server.requests.length, 0);
    });

    it('refuses bodies that cannot be sent with EINVALIDBODY, and sends numbers, BigInts and typed arrays as they read', async () => {
      const http = client();
      const circular: Record<string, unknown> = { name: 'loop' };
      circular.self = circular;
      const refused: Array<[unknown, RegExp]> = [
        [circular, /^cannot send the body as JSON: Converting circular structure to JSON$/],
        [{ big: 10n }, /^cannot send the body as JSON: Do not know how to serialize a BigInt$/],
        [() => 1, /^cannot send a function as the body/],
        [Symbol('s'), /^cannot send a symbol as the body/],
      ];
      for (const [body, message] of refused) {
        const error = await requestRejection(http.request({ method: 'POST', url: '/echo', body }));
        assert.equal(error.code, 'EINVALIDBODY');
        assert.match(error.message, message);
      }
      assert.equal(server.requests.length, 0);
      server.route('/echo', respond(200));
      for (const [body, sent] of [
        [42, '42'],
        [10n, '10'],
        [true, 'true'],
        [new Uint8Array([104, 105]), 'hi'],
        [{ a: [1, 'x'] }, '{"a":[1,"x"]}'],
      ] as Array<[unknown, string]>) {
        await http.request({ method: 'PUT', url: '/echo', body });
        assert.equal(server.requests.at(-1)?.body.toString(), sent);
      }
    });

    it('ignores the framing headers of an earlier response passed back in: a stale Content-Length neither hangs a GET nor cuts a POST', async () => {
      server.route('/first', json({ a: 1 }));
      server.route('/next', echo());
      const http = client({ timeoutMs: 2_000 });
      const first = await http.request({ url: '/first' });
      assert.equal(first.headers['content-length'], '7');
      assert.equal((await http.request({ url: '/next', headers: first.headers })).statusCode, 200);
      const body = { questions: [{ name: 'Country', value: 'BE' }] };
      assert.equal((await http.request({ method: 'POST', url: '/next', headers: { ...first.headers, 'Transfer-Encoding': 'chunked' }, body })).statusCode, 200);
      assert.deepEqual(JSON.parse(server.requests.at(-1)?.body.toString() ?? ''), body);
      assertFreshlySigned(server.requests);
    });

    it('refuses invalid header names and values with EINVALIDHEADER, without repeating what follows the bad character', async () => {
      const http = client();
      const name = await requestRejection(http.request({ url: '/x', headers: { 'Authorization: Bearer abc.def': '1' } }));
      assert.equal(name.code, 'EINVALIDHEADER');
      assert.equal(name.message, 'invalid header name "Authorization…": HTTP allows no spaces, colons or quotes in names');
      const value = await requestRejection(http.request({ url: '/x', headers: { 'X-Note': 'line\r\nInjected: yes' } }));
      assert.equal(value.code, 'EINVALIDHEADER');
      assert.equal(value.message, 'invalid character in the value of header "X-Note"');
      assert.equal(server.requests.length, 0);
    });
  });

  it('keeps secrets out of error messages, log lines and response URLs, even with PLAINTEXT in the query', async () => {
    const lines: string[] = [];
    const http = client({ placement: 'query', signatureMethod: 'PLAINTEXT', log: (line) => lines.push(line), timeoutMs: 150, retryBaseDelayMs: 1 });
    server.route('/flaky', respond(503), json({}));
    server.route('/reset', reset());
    server.route('/hang', hang());
    server.route('/moved', redirect(`${otherHost.url}/landing`));
    otherHost.route('/landing', json({}));
    const seen: string[] = [];
    for (const url of ['/flaky', '/reset', '/hang', '/moved', 'ftp://x/']) {
      try {
        const response: ClientResponse = await http.request({ url });
        seen.push(response.url, JSON.stringify(response.headers));
      } catch (error) {
        seen.push((error as Error).message, String(error));
      }
    }
    const all = [...seen, ...lines].join('\n');
    assert.ok(lines.length >= 3, 'retries and redirects are logged');
    for (const secret of [CREDENTIALS.consumerSecret, CREDENTIALS.tokenSecret as string]) {
      for (const form of [secret, encodeURIComponent(secret), encodeURIComponent(encodeURIComponent(secret)), secret.split(' ')[0]]) {
        assert.ok(!all.includes(form), `${form} leaked`);
      }
    }
    assert.ok(!all.includes('oauth_signature'));
  });

  describe('the decisions after each attempt, each alone', () => {
    const POLICY = { retries: 2, retryBaseDelayMs: 100, maxRetryDelayMs: 1_000 };
    const reset = new RequestError('ECONNRESET (h)', 'ENETWORK', 'ECONNRESET');

    it('backoff: between half and all of base × 2^(n-1), capped by the longest wait', () => {
      assert.deepEqual(
        [1, 2, 3].map((n) => backoff(n, POLICY, () => 0)),
        [50, 100, 200],
      );
      assert.deepEqual(
        [1, 2, 3].map((n) => backoff(n, POLICY, () => 1)),
        [100, 200, 400],
      );
      assert.equal(
        backoff(10, POLICY, () => 1),
        1_000,
      );
    });

    it('retryAfterFailure: idempotent methods after a failure the server cannot have acted on, while retries last', () => {
      const delay = retryAfterFailure(reset, { method: 'GET', retries: 0 }, POLICY);
      assert.ok(delay !== undefined && delay >= 50 && delay <= 100, String(delay));
      assert.equal(retryAfterFailure(reset, { method: 'POST', retries: 0 }, POLICY), undefined);
      assert.equal(retryAfterFailure(reset, { method: 'PATCH', retries: 0 }, POLICY), undefined);
      assert.equal(retryAfterFailure(reset, { method: 'GET', retries: 2 }, POLICY), undefined);
      assert.equal(retryAfterFailure(new RequestError('no response within 5 ms', 'ETIMEDOUT'), { method: 'GET', retries: 0 }, POLICY), undefined);
      assert.equal(retryAfterFailure(new RequestError('bad cert', 'ENETWORK', 'CERT_HAS_EXPIRED'), { method: 'GET', retries: 0 }, POLICY), undefined);
      assert.ok(retryAfterFailure(new RequestError('x', 'ENETWORK', 'ECONNREFUSED'), { method: 'DELETE', retries: 1 }, POLICY)! >= 100);
    });

    it('retryAfterStatus: 5xx but 501, for idempotent methods, as Retry-After asks unless that is too long', () => {
      const get = { method: 'GET', retries: 0 };
      assert.equal(retryAfterStatus(500, '0.5', get, POLICY), 500);
      assert.equal(retryAfterStatus(429, '0.5', get, POLICY), undefined, "a 429 is a limit's refusal: againAfterLimit");
      assert.equal(retryAfterStatus(503, '2', get, POLICY), undefined, 'longer than maxRetryDelayMs: returned');
      const delay = retryAfterStatus(503, undefined, get, POLICY);
      assert.ok(delay !== undefined && delay >= 50 && delay <= 100);
      for (const status of [200, 301, 400, 401, 404, 501]) assert.equal(retryAfterStatus(status, undefined, get, POLICY), undefined, String(status));
      assert.equal(retryAfterStatus(503, undefined, { method: 'POST', retries: 0 }, POLICY), undefined);
      assert.equal(retryAfterStatus(503, undefined, { method: 'GET', retries: 2 }, POLICY), undefined);
    });

    it("againAfterLimit: any method queues again while the service's pause ends before Max wait, not counted as a retry", () => {
      const now = 1_000_000;
      const fresh = { limitRefusals: 0, waitDeadline: now + 60_000 };
      assert.equal(againAfterLimit(fresh, 30_000, POLICY, now), 0, 'a pause: the queue holds it, no delay of its own');
      assert.equal(againAfterLimit(fresh, 61_000, POLICY, now), undefined, 'a pause past Max wait: the answer is handed on');
      const backedOff = againAfterLimit(fresh, 0, POLICY, now);
      assert.ok(backedOff !== undefined && backedOff >= 50 && backedOff <= 100, 'no pause ordered (a concurrency refusal): backoff');
      assert.equal(againAfterLimit({ limitRefusals: 0, waitDeadline: now }, 0, POLICY, now), undefined, 'Max wait spent');
    });

    it('resignForClock: a signed 401 once, when the clock learnt since differs by over a minute', () => {
      const fresh = { authorize: true, clockRetried: false };
      assert.equal(resignForClock(401, fresh, 0, HOUR), true);
      assert.equal(resignForClock(401, fresh, HOUR, 0), true, 'a clock put right');
      assert.equal(resignForClock(401, fresh, 0, 59_000), false);
      assert.equal(resignForClock(401, { ...fresh, clockRetried: true }, 0, HOUR), false);
      assert.equal(resignForClock(401, { ...fresh, authorize: false }, 0, HOUR), false);
      assert.equal(resignForClock(403, fresh, 0, HOUR), false);
    });

    it('refreshCredentials: a signed 401 once, when the authorizer has credentials to drop', () => {
      let dropped = 0;
      const authorizer = { authorize: () => ({ url: '', headers: {} }), refreshAfterUnauthorized: () => ++dropped > 0 };
      const fresh = { authorize: true, credentialsRefreshed: false };
      assert.equal(refreshCredentials(401, fresh, authorizer), true);
      assert.equal(dropped, 1);
      assert.equal(refreshCredentials(401, { ...fresh, credentialsRefreshed: true }, authorizer), false);
      assert.equal(refreshCredentials(401, { ...fresh, authorize: false }, authorizer), false);
      assert.equal(refreshCredentials(403, fresh, authorizer), false);
      assert.equal(refreshCredentials(401, fresh, { authorize: () => ({ url: '', headers: {} }) }), false);
      assert.equal(dropped, 1);
    });

    it('followRedirect: where a redirect leads, which method and body go on, and when it is the answer', () => {
      const from = { method: 'POST', origin: 'http://h', credentialsInBody: false, redirects: 0 };
      const sent = 'http://h/a/b?oauth_nonce=1&x=1';
      assert.deepEqual(followRedirect(307, 'c?y=2&oauth_signature=s#top', sent, from, 5), {
        url: 'http://h/a/c?y=2',
        method: 'POST',
        dropBody: false,
        crossOrigin: false,
      });
      assert.deepEqual(followRedirect(303, '/d', sent, from, 5), { url: 'http://h/d', method: 'GET', dropBody: true, crossOrigin: false });
      assert.deepEqual(followRedirect(302, '/d', sent, from, 5), { url: 'http://h/d', method: 'GET', dropBody: true, crossOrigin: false });
      assert.deepEqual(followRedirect(302, '/d', sent, { ...from, method: 'PUT' }, 5), {
        url: 'http://h/d',
        method: 'PUT',
        dropBody: false,
        crossOrigin: false,
      });
      assert.deepEqual(followRedirect(303, '/d', sent, { ...from, method: 'HEAD' }, 5), {
        url: 'http://h/d',
        method: 'HEAD',
        dropBody: true,
        crossOrigin: false,
      });
      assert.equal(followRedirect(308, 'http://elsewhere/x', sent, from, 5)?.crossOrigin, true);
      assert.equal(followRedirect(308, 'http://elsewhere/x', sent, { ...from, credentialsInBody: true }, 5), undefined);
      assert.equal(followRedirect(302, undefined, sent, from, 5), undefined);
      assert.equal(followRedirect(200, '/d', sent, from, 5), undefined);
      assert.throws(() => followRedirect(302, '/d', sent, { ...from, redirects: 5 }, 5), { code: 'ETOOMANYREDIRECTS' });
      assert.throws(() => followRedirect(302, 'mailto:x@h', sent, from, 5), { code: 'EINVALIDURL' });
    });

    it("takeHop: off the service's origin without credentials or the user's headers; without the body when dropped", () => {
      const exchange: Parameters<typeof takeHop>[0] = {
        method: 'POST',
        url: 'http://h/a',
        headers: { 'Content-Type': 'text/plain', 'X-Api-Key': 'k', Accept: 'text/plain' },
        body: Buffer.from('b'),
        authorize: true,
        redirects: 0,
      };
      takeHop(exchange, { url: 'http://h/b', method: 'GET', dropBody: true, crossOrigin: false });
      assert.deepEqual([exchange.url, exchange.method, exchange.body, exchange.authorize, exchange.redirects], ['http://h/b', 'GET', undefined, true, 1]);
      assert.deepEqual(exchange.headers, { 'X-Api-Key': 'k', Accept: 'text/plain' });
      takeHop(exchange, { url: 'http://o/c', method: 'GET', dropBody: false, crossOrigin: true });
      assert.deepEqual([exchange.authorize, exchange.redirects, exchange.headers], [false, 2, { Accept: 'text/plain' }]);
    });

    it('decodeResponse: text, Buffer or JSON as asked; JSON that does not parse is text with jsonError', () => {
      const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
      assert.deepEqual(decodeResponse(bom, 'json', 200, 'GET'), { body: { a: 1 }, sourceText: '{"a":1}' });
      assert.deepEqual(decodeResponse(bom, 'buffer', 200, 'GET'), { body: bom });
      assert.deepEqual(decodeResponse(Buffer.from('hi'), 'text', 200, 'GET'), { body: 'hi' });
      assert.deepEqual(decodeResponse(Buffer.alloc(0), 'json', 204, 'GET'), { body: {} });
      assert.deepEqual(decodeResponse(Buffer.alloc(0), 'json', 200, 'GET'), { body: '', jsonError: 'the response body is empty' });
      assert.match(decodeResponse(Buffer.from('<html>'), 'json', 200, 'GET').jsonError ?? '', /^the response is not JSON \(/);
      assert.deepEqual(decodeResponse(Buffer.from('x'), 'json', 200, 'HEAD'), { body: '' });
      assert.deepEqual(decodeResponse(Buffer.from('x'), 'buffer', 200, 'HEAD'), { body: Buffer.alloc(0) });
    });
  });
});
