/**
 * The small rules of the client, each alone: how URLs are joined, how Retry-After is
 * read, which origins may receive credentials, how outside text is shown, how waits end.
 */
import assert from 'node:assert/strict';
import { parseRetryAfter } from '../src/lib/client-decisions';
import { isRequestError, RequestError } from '../src/lib/request-error';
import { createServiceClient } from '../src/lib/service';
import { printable } from '../src/lib/text';
import { sleep } from '../src/lib/time';
import { joinUrl, originProblem, serviceOrigins } from '../src/lib/urls';
import { respond, startFaultServer, type FaultServer } from './support/fault-server';

function thrown(action: () => unknown): RequestError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof RequestError, String(error));
    return error;
  }
  assert.fail('expected a RequestError');
}

describe('client rules (src/lib/client)', () => {
  describe('joinUrl', () => {
    it('puts exactly one slash between the base URL and the path', () => {
      assert.equal(joinUrl('http://h/api', 'x'), 'http://h/api/x');
      assert.equal(joinUrl('http://h/api/', '/x'), 'http://h/api/x');
      assert.equal(joinUrl('http://h/api///', '///x/y/'), 'http://h/api/x/y/');
    });

    it('keeps an absolute URL of any scheme as it is, trimmed, and joins what only looks like one', () => {
      assert.equal(joinUrl('http://h/api', ' HTTPS://other.example/x '), 'HTTPS://other.example/x');
      assert.equal(joinUrl('http://h/api', 'svn+ssh://repo/x'), 'svn+ssh://repo/x');
      assert.equal(joinUrl('http://h/api', 'jobs?next=http://elsewhere/'), 'http://h/api/jobs?next=http://elsewhere/');
      assert.equal(joinUrl('http://h/api', '1http://x'), 'http://h/api/1http://x');
    });

    it('takes the base URL itself when no URL is given', () => {
      assert.equal(joinUrl('http://h/api/', undefined), 'http://h/api/');
      assert.equal(joinUrl('http://h/api', '   '), 'http://h/api');
    });

    it('says what to set when there is neither a URL nor a base URL, and when a relative URL has no base', () => {
      const none = thrown(() => joinUrl(undefined, ' '));
      assert.equal(none.message, 'no URL: set msg.url or a base URL in the config node');
      assert.equal(none.code, 'EINVALIDURL');
      const relative = thrown(() => joinUrl('', ' users/v1/me '));
      assert.equal(relative.message, '"users/v1/me" is relative and the config node has no base URL');
      assert.equal(relative.code, 'EINVALIDURL');
      assert.equal(relative.name, 'RequestError');
    });
  });

  describe('parseRetryAfter', () => {
    // An HTTP date long after every date Date.parse reads into loose text such as "5 5".
    const now = Date.parse('Wed, 21 Oct 2099 07:28:00 GMT');

    it('reads whole and fractional seconds, with spaces around them', () => {
      assert.equal(parseRetryAfter('5', now), 5_000);
      assert.equal(parseRetryAfter(' 5 ', now), 5_000);
      assert.equal(parseRetryAfter('1.25', now), 1_250);
      assert.equal(parseRetryAfter('0', now), 0);
    });

    it('does not read seconds out of text that only contains a number', () => {
      for (const value of ['abc 5', '5 5', '1.5.2', '5s', '-5']) {
        const delay = parseRetryAfter(value, now);
        assert.ok(delay === undefined || delay === 0, `${value}: ${delay}`);
      }
    });

    it('has no delay for an empty header', () => {
      assert.equal(parseRetryAfter('', now), undefined);
    });
  });

  describe('origins that may receive credentials', () => {
    it("are the base URL's and the extra ones, once each, as URL origins", () => {
      assert.deepEqual(serviceOrigins('https://API.example.com:443/gallery/', [' https://api.example.com ', '', 'http://other:8080/x', 'http://other:8080']), [
        'https://api.example.com',
        'http://other:8080',
      ]);
      assert.deepEqual(serviceOrigins(undefined), []);
      assert.deepEqual(serviceOrigins('ftp://files.example.com'), []);
    });

    it('refuses an extra entry that is no http(s) origin, showing it on one line', () => {
      const error = thrown(() => serviceOrigins('https://a.example.com', ['ftp://x\nInjected: yes']));
      assert.equal(error.message, '"Also sign for": "ftp://x\\nInjected: yes" is not an origin such as https://api.example.com');
      assert.equal(error.code, 'EINVALIDURL');
    });

    it('originProblem names the refused origin and the allowed ones, or says there are none', () => {
      assert.equal(originProblem('https://a.example.com', ['https://a.example.com']), undefined);
      assert.equal(
        originProblem('http://evil.example', ['https://a.example.com', 'https://b.example.com']),
        `not sent: http://evil.example is not the service's origin (https://a.example.com, https://b.example.com); to sign for it, add it to "Also sign for" in the OAuth1 service`,
      );
      assert.equal(
        originProblem('http://evil.example', []),
        `not sent: http://evil.example is not the service's origin (none: no base URL and nothing in "Also sign for"); to sign for it, add it to "Also sign for" in the OAuth1 service`,
      );
    });
  });

  describe('printable', () => {
    it('shows control characters escaped and leaves everything else, Unicode included', () => {
      assert.equal(printable('a\r\nb\tc\u0000d\u001fe\u007ff'), 'a\\r\\nb\\x09c\\x00d\\x1fe\\x7ff');
      assert.equal(printable('Grüße, "x" & ü'), 'Grüße, "x" & ü');
    });
  });

  describe('sleep', () => {
    it('resolves after the time asked', async () => {
      const started = Date.now();
      await sleep(60);
      assert.ok(Date.now() - started >= 55);
    });

    it('rejects with EABORTED at once for a signal already aborted, and as soon as the signal aborts', async () => {
      const error = await sleep(10_000, AbortSignal.abort()).then(
        () => assert.fail('resolved'),
        (reason: unknown) => reason,
      );
      assert.ok(isRequestError(error));
      assert.equal(isRequestError(new Error('request aborted')), false);
      assert.equal(error.code, 'EABORTED');
      assert.equal(error.message, 'request aborted');

      const controller = new AbortController();
      const started = Date.now();
      const waiting = sleep(10_000, controller.signal);
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(waiting, { code: 'EABORTED' });
      assert.ok(Date.now() - started < 2_000);
    });
  });

  describe('what is sent (against a loopback server)', () => {
    let server: FaultServer;
    const CREDENTIALS = { consumerKey: 'key', consumerSecret: 'secret' };
    before(async () => {
      server = await startFaultServer({ credentials: CREDENTIALS });
      server.route('/echo', respond(204));
    });
    after(() => server?.close());

    async function sent(request: Parameters<ReturnType<typeof createServiceClient>['request']>[0]) {
      const http = createServiceClient({ baseUrl: server.url, credentials: CREDENTIALS, retries: 0 });
      try {
        await http.request({ url: '/echo', ...request });
      } finally {
        http.destroy();
      }
      const received = server.requests.at(-1);
      assert.ok(received);
      return received;
    }

    it('sends an object as a form when the content type says so, in any case: lists repeated, objects as JSON, undefined left out', async () => {
      const received = await sent({
        method: 'POST',
        headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=utf-8' },
        body: { a: ['1', '2'], nested: { x: 1 }, none: null, skipped: undefined, n: 3 },
      });
      assert.equal(received.body.toString(), 'a=1&a=2&nested=%7B%22x%22%3A1%7D&none=null&n=3');
      assert.equal(received.headers['content-type'], 'Application/X-WWW-Form-Urlencoded; charset=utf-8');
    });

    it('sends an object as JSON with a JSON content type only when none is given', async () => {
      let received = await sent({ method: 'PUT', body: { a: 1 } });
      assert.equal(received.body.toString(), '{"a":1}');
      assert.equal(received.headers['content-type'], 'application/json');
      received = await sent({ method: 'PUT', headers: { 'Content-Type': 'application/vnd.api+json' }, body: { a: 1 } });
      assert.equal(received.body.toString(), '{"a":1}');
      assert.equal(received.headers['content-type'], 'application/vnd.api+json');
    });

    it('sends no body for null, and none for a GET whatever it is given', async () => {
      let received = await sent({ method: 'POST', body: null });
      assert.equal(received.body.length, 0);
      assert.equal(received.headers['content-type'], undefined);
      received = await sent({ method: 'GET', body: 'ignored' });
      assert.equal(received.body.length, 0);
    });

    it('leaves out headers set to null or undefined and joins list values with a comma', async () => {
      const received = await sent({
        headers: { 'X-Gone': null, 'X-Absent': undefined, 'X-List': ['a', 2], 'X-Number': 5 },
      });
      assert.equal(received.headers['x-gone'], undefined);
      assert.equal(received.headers['x-absent'], undefined);
      assert.equal(received.headers['x-list'], 'a, 2');
      assert.equal(received.headers['x-number'], '5');
    });

    it('takes a missing or empty method as GET and a lower-case one as its upper case', async () => {
      assert.equal((await sent({ method: '' })).method, 'GET');
      assert.equal((await sent({ method: 'delete' })).method, 'DELETE');
    });
  });
});
