/**
 * The demo service's limits (demo/limits.ts, demo/rate-limited.ts, the NetSuite-like account in
 * demo/server.ts): each kind of limit is enforced and ends with time. On a fake clock, so a
 * service time or a 15-minute window is exact and instant; requests are signed with the
 * project's signer and checked by the demo's own verifier, as in test/demo.test.ts.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { NETSUITE_DEMO_ACCOUNT } from '../demo/presets';
import { X_DEMO_USER } from '../demo/rate-limited';
import { startDemoServer, type DemoOptions, type DemoServer } from '../demo/server';
import { OAuth1Signer, type OAuth1Credentials, type SigningOptions } from '../src/lib/oauth1';

type OAuth1SignerOptions = Omit<SigningOptions, 'clockOffsetMs'>;
import { fakeClock, settle, type FakeClock } from './support/fake-clock';

const CONSUMER_ONLY: OAuth1Credentials = { consumerKey: DEMO_CREDENTIALS.consumerKey, consumerSecret: DEMO_CREDENTIALS.consumerSecret };
const NETSUITE: OAuth1SignerOptions = { signatureMethod: 'HMAC-SHA256', realm: NETSUITE_DEMO_ACCOUNT };
/** As X signs: HMAC-SHA1 in the Authorization header, with the user's token. */
const X_SIGNING: OAuth1SignerOptions = { signatureMethod: 'HMAC-SHA1', placement: 'header' };
/** A whole second, so that Unix-second reset headers fall on the window's exact end. */
const START = Date.UTC(2030, 0, 1, 12, 0, 0);

function signedFetch(method: string, url: string, signing: OAuth1SignerOptions = {}, credentials: OAuth1Credentials = { ...DEMO_CREDENTIALS }) {
  const signed = new OAuth1Signer(credentials, signing).sign({ method, url });
  return fetch(signed.url, { method, headers: signed.headers });
}

/** Waits, in real time (the fake clock stands still), until the demo has seen what the test waits for. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`gave up waiting for ${what}`);
    await settle();
  }
}

/** Tracks a promise's outcome without awaiting it. */
function track<T>(promise: Promise<T>): { value?: T } {
  const tracked: { value?: T } = {};
  void promise.then((value) => {
    tracked.value = value;
  });
  return tracked;
}

function headersOf(response: Response, names: string[]): Record<string, string | null> {
  return Object.fromEntries(names.map((name) => [name, response.headers.get(name)]));
}

const X_HEADERS = ['x-rate-limit-limit', 'x-rate-limit-remaining', 'x-rate-limit-reset'];
const IETF_HEADERS = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'];

describe('demo service limits', () => {
  let clock: FakeClock;
  let server: DemoServer | undefined;

  beforeEach(() => {
    clock = fakeClock(START);
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    clock.restore();
  });

  async function start(options: DemoOptions): Promise<DemoServer> {
    server = await startDemoServer(options);
    return server;
  }

  describe('NetSuite-like account: requests in flight', () => {
    it('answers a burst of 8 REST requests with 5 answers and 3 refusals 429 CONCURRENCY_LIMIT_EXCEEDED', async () => {
      const demo = await start({});
      const catalog = `${demo.baseUrls.netsuite}/record/v1/metadata-catalog/`;
      const burst = Array.from({ length: 8 }, () => signedFetch('GET', catalog, NETSUITE));
      const answered = burst.map(track);
      // The 5 admitted take their 50 ms of service time, which the fake clock has not given yet.
      await until(() => answered.filter((answer) => answer.value).length === 3 && demo.stats.netsuiteInFlight === 5, 'the 3 refusals and 5 in flight');
      assert.equal(demo.stats.limitRefusals, 3);

      await clock.advance(49);
      assert.equal(answered.filter((answer) => answer.value).length, 3, 'still serving at 49 ms');
      await clock.advance(1);
      const responses = await Promise.all(burst);
      assert.deepEqual(responses.map((response) => response.status).sort(), [200, 200, 200, 200, 200, 429, 429, 429]);
      for (const refused of responses.filter((response) => response.status === 429)) {
        const body: unknown = await refused.json();
        assert.deepEqual(body, {
          type: 'https://www.rfc-editor.org/rfc/rfc6585.html#section-4',
          title: 'Too Many Requests',
          status: 429,
          'o:errorDetails': [
            {
              detail:
                'Request blocked by the concurrency limit: the account allows 5 concurrent requests (REST web services and RESTlets together). Retry when a request has ended.',
              'o:errorCode': 'CONCURRENCY_LIMIT_EXCEEDED',
            },
          ],
        });
      }
      assert.equal(demo.stats.netsuitePeakInFlight, 5);
    });

    it('frees a place once its answer is sent: the next request after the burst is served', async () => {
      const demo = await start({ netsuiteConcurrency: 1, netsuiteServiceMs: 200 });
      const catalog = `${demo.baseUrls.netsuite}/record/v1/metadata-catalog/`;
      const first = signedFetch('GET', catalog, NETSUITE);
      await until(() => demo.stats.netsuiteInFlight === 1, 'the first request in flight');
      assert.equal((await signedFetch('GET', catalog, NETSUITE)).status, 429);
      await clock.advance(199);
      assert.equal((await signedFetch('GET', catalog, NETSUITE)).status, 429, 'still in flight at 199 ms');
      await clock.advance(1);
      assert.equal((await first).status, 200);
      assert.equal(demo.stats.netsuiteInFlight, 0, 'its place is free once its answer is sent');
      const next = signedFetch('GET', catalog, NETSUITE);
      await until(() => demo.stats.netsuiteInFlight === 1, 'the next request in flight');
      await clock.advance(200);
      assert.equal((await next).status, 200);
      assert.equal(demo.stats.limitRefusals, 2);
    });

    it('counts REST and RESTlet together; the RESTlet refuses with 400 SSS_REQUEST_LIMIT_EXCEEDED', async () => {
      const demo = await start({ netsuiteConcurrency: 2 });
      const rest = [1, 2].map(() => signedFetch('GET', `${demo.baseUrls.netsuite}/record/v1/metadata-catalog/`, NETSUITE));
      await until(() => demo.stats.netsuiteInFlight === 2, 'both REST requests in flight');
      const restlet = await signedFetch('POST', `${demo.url}/netsuite/app/site/hosting/restlet.nl?script=42&deploy=1`, NETSUITE);
      assert.equal(restlet.status, 400);
      assert.deepEqual(await restlet.json(), {
        error: {
          code: 'SSS_REQUEST_LIMIT_EXCEEDED',
          message:
            'Request limit exceeded: the account allows 2 concurrent requests (REST web services and RESTlets together). Retry when a request has ended.',
        },
      });
      await clock.advance(50);
      assert.deepEqual(
        (await Promise.all(rest)).map((response) => response.status),
        [200, 200],
      );
    });

    it('refuses none with netsuiteConcurrency 0', async () => {
      const demo = await start({ netsuiteConcurrency: 0, netsuiteServiceMs: 10 });
      const burst = Array.from({ length: 8 }, () => signedFetch('GET', `${demo.baseUrls.netsuite}/record/v1/metadata-catalog/`, NETSUITE));
      await until(() => demo.stats.netsuiteInFlight === 8, 'all 8 in flight');
      await clock.advance(10);
      assert.deepEqual(
        (await Promise.all(burst)).map((response) => response.status),
        Array(8).fill(200),
      );
      assert.equal(demo.stats.limitRefusals, 0);
    });
  });

  describe('X-like GET /x/2/users/me: a window with x-rate-limit-* headers', () => {
    it('counts down on every answer, answers a bare 429 once spent, and opens a new window at the reset', async () => {
      const demo = await start({ xRateWindow: { limit: 3, seconds: 900 } });
      const me = `${demo.baseUrls.x}/2/users/me`;
      const reset = String(START / 1000 + 900);
      for (const remaining of ['2', '1', '0']) {
        const response = await signedFetch('GET', me, X_SIGNING);
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { data: X_DEMO_USER });
        assert.deepEqual(headersOf(response, X_HEADERS), { 'x-rate-limit-limit': '3', 'x-rate-limit-remaining': remaining, 'x-rate-limit-reset': reset });
      }
      const spent = await signedFetch('GET', me, X_SIGNING);
      assert.equal(spent.status, 429);
      assert.equal(await spent.text(), '{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}');
      assert.deepEqual(headersOf(spent, X_HEADERS), { 'x-rate-limit-limit': '3', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset });
      assert.equal(spent.headers.get('retry-after'), null, 'X sends no Retry-After');

      await clock.advance(900_000 - 1);
      assert.equal((await signedFetch('GET', me, X_SIGNING)).status, 429, 'a millisecond before the reset');
      await clock.advance(1);
      const renewed = await signedFetch('GET', me, X_SIGNING);
      assert.equal(renewed.status, 200);
      assert.deepEqual(headersOf(renewed, X_HEADERS), {
        'x-rate-limit-limit': '3',
        'x-rate-limit-remaining': '2',
        'x-rate-limit-reset': String(START / 1000 + 1800),
      });
      assert.equal(demo.stats.limitRefusals, 2);
    });

    it("defaults to X's 75 requests per 15 minutes", async () => {
      const demo = await start({});
      const response = await signedFetch('GET', `${demo.baseUrls.x}/2/users/me`, X_SIGNING);
      assert.deepEqual(headersOf(response, X_HEADERS), {
        'x-rate-limit-limit': '75',
        'x-rate-limit-remaining': '74',
        'x-rate-limit-reset': String(START / 1000 + 900),
      });
    });

    for (const [why, signing, credentials] of [
      ['HMAC-SHA256', { ...X_SIGNING, signatureMethod: 'HMAC-SHA256' }, DEMO_CREDENTIALS],
      ['the signature in the query', { ...X_SIGNING, placement: 'query' }, DEMO_CREDENTIALS],
      ['no token', X_SIGNING, CONSUMER_ONLY],
    ] as const) {
      it(`answers 401 to ${why}, without counting it`, async () => {
        const demo = await start({ xRateWindow: { limit: 3, seconds: 900 } });
        const refused = await signedFetch('GET', `${demo.baseUrls.x}/2/users/me`, signing, { ...credentials });
        assert.equal(refused.status, 401);
        const body: unknown = await refused.json();
        assert.ok(typeof body === 'object' && body !== null && 'title' in body && body.title === 'Unauthorized', JSON.stringify(body));
        assert.equal(refused.headers.get('x-rate-limit-remaining'), '3');
      });
    }
  });

  describe('IETF-like GET /ietf/items: RateLimit-* headers and Retry-After', () => {
    it('counts down, answers 429 with Retry-After once spent, and serves again after the wait', async () => {
      const demo = await start({ ietfRateWindow: { limit: 2, seconds: 10 } });
      const items = `${demo.baseUrls.ietf}/items`;
      const first = await signedFetch('GET', items, {}, CONSUMER_ONLY);
      assert.equal(first.status, 200, 'a 1-legged request');
      assert.deepEqual(headersOf(first, IETF_HEADERS), { 'ratelimit-limit': '2', 'ratelimit-remaining': '1', 'ratelimit-reset': '10' });
      await clock.advance(4_000);
      const second = await signedFetch('GET', items);
      assert.equal(second.status, 200, 'with a token');
      assert.deepEqual(headersOf(second, IETF_HEADERS), { 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'ratelimit-reset': '6' });

      const spent = await signedFetch('GET', items);
      assert.equal(spent.status, 429);
      assert.equal(spent.headers.get('retry-after'), '6');
      assert.deepEqual(headersOf(spent, IETF_HEADERS), { 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'ratelimit-reset': '6' });
      await clock.advance(5_999);
      assert.equal((await signedFetch('GET', items)).status, 429);
      await clock.advance(1);
      assert.equal((await signedFetch('GET', items)).status, 200);
      assert.equal(demo.stats.limitRefusals, 2);
    });

    it('asks for a Retry-After beyond 30 s when told to, keeps to it, and does not extend it at each refusal', async () => {
      const demo = await start({ ietfRateWindow: { limit: 1, seconds: 1, retryAfterSeconds: 45 } });
      const items = `${demo.baseUrls.ietf}/items`;
      assert.equal((await signedFetch('GET', items)).status, 200);
      const spent = await signedFetch('GET', items);
      assert.equal(spent.status, 429);
      assert.equal(spent.headers.get('retry-after'), '45');
      assert.equal(spent.headers.get('ratelimit-reset'), '45');
      await clock.advance(20_000);
      const again = await signedFetch('GET', items);
      assert.equal(again.status, 429, 'the window stays shut past its own second');
      assert.equal(again.headers.get('retry-after'), '25');
      await clock.advance(25_000);
      const served = await signedFetch('GET', items);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('ratelimit-remaining'), '0');
    });

    it('sends Retry-After as an HTTP date when told to', async () => {
      const demo = await start({ ietfRateWindow: { limit: 1, seconds: 120, retryAfterAs: 'date' } });
      const items = `${demo.baseUrls.ietf}/items`;
      assert.equal((await signedFetch('GET', items)).status, 200);
      await clock.advance(500);
      const spent = await signedFetch('GET', items);
      assert.equal(spent.status, 429);
      assert.equal(spent.headers.get('retry-after'), new Date(START + 120_000).toUTCString());
    });

    it('answers 401 to a wrong signature, without counting it', async () => {
      const demo = await start({ ietfRateWindow: { limit: 2, seconds: 10 } });
      const refused = await signedFetch('GET', `${demo.baseUrls.ietf}/items`, {}, { ...DEMO_CREDENTIALS, consumerSecret: 'wrong' });
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get('ratelimit-remaining'), '2');
    });
  });
});
