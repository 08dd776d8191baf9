/**
 * src/lib/extrahorizon.ts without Node-RED: getMe against a scripted loopback service, and
 * the error texts people read at Catch.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { RequestError } from '../src/lib/request-error';
import { describeError, ExtraHorizonError, getMe, ME_PATH } from '../src/lib/extrahorizon';
import { createServiceClient } from '../src/lib/service';

interface Answer {
  status: number;
  contentType?: string;
  body: string;
}

/** A loopback service that answers every request with `answer` and records what it received. */
async function scriptedService(answer: (request: IncomingMessage) => Answer | undefined) {
  const received: IncomingMessage[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    received.push(request);
    const reply = answer(request);
    if (!reply) return; // leave the request hanging
    response.writeHead(reply.status, { 'Content-Type': reply.contentType ?? 'application/json' });
    response.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, received, close, client: () => createServiceClient({ baseUrl: url, credentials: DEMO_CREDENTIALS, retries: 0 }) };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('expected a rejection');
}

const USER = { id: 'u1', first_name: 'Ada', email: 'ada@example.com' };

describe('Extra Horizon library (src/lib/extrahorizon)', () => {
  let service: Awaited<ReturnType<typeof scriptedService>> | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  describe('getMe', () => {
    it('asks GET users/v1/me for JSON, signed with OAuth 1.0a, and returns the user with its status', async () => {
      service = await scriptedService(() => ({ status: 200, body: JSON.stringify(USER) }));
      const result = await getMe(service.client());
      assert.deepEqual(result, { user: USER, statusCode: 200 });
      assert.equal(service.received.length, 1);
      const [request] = service.received;
      assert.equal(request.method, 'GET');
      assert.equal(request.url, `/${ME_PATH}`);
      assert.equal(ME_PATH, 'users/v1/me');
      assert.equal(request.headers.accept, 'application/json');
      assert.match(String(request.headers.authorization), /^OAuth .*oauth_consumer_key="/);
      assert.match(String(request.headers.authorization), new RegExp(`oauth_token="${encodeURIComponent(DEMO_CREDENTIALS.token ?? '')}"`));
    });

    it('accepts any 2xx answer as the user', async () => {
      service = await scriptedService(() => ({ status: 299, body: JSON.stringify(USER) }));
      assert.deepEqual(await getMe(service.client()), { user: USER, statusCode: 299 });
    });

    it('throws an ExtraHorizonError that names the service error for a non-2xx answer', async () => {
      const body = { code: 117, name: 'OAUTH_SIGNATURE_EXCEPTION', message: 'Invalid signature' };
      service = await scriptedService(() => ({ status: 401, body: JSON.stringify(body) }));
      const error = await rejection(getMe(service.client()));
      assert.ok(error instanceof ExtraHorizonError);
      assert.equal(error.name, 'ExtraHorizonError');
      assert.equal(error.statusCode, 401);
      assert.deepEqual(error.body, body);
      assert.equal(error.message, `401 OAUTH_SIGNATURE_EXCEPTION: Invalid signature. Likely cause: ${error.signing?.cause.text}`);
      assert.equal(error.signing?.cause.code, 'signature');
    });

    it('treats a 3xx without a Location as an error, not as the user', async () => {
      service = await scriptedService(() => ({ status: 300, body: JSON.stringify(USER) }));
      const error = await rejection(getMe(service.client()));
      assert.ok(error instanceof ExtraHorizonError);
      assert.equal(error.statusCode, 300);
    });

    it('quotes a proxy page after a colon when the error body is not JSON', async () => {
      service = await scriptedService(() => ({ status: 502, contentType: 'text/html', body: '<html>Bad gateway</html>' }));
      const error = await rejection(getMe(service.client()));
      assert.ok(error instanceof ExtraHorizonError);
      assert.equal(error.message, '502: <html>Bad gateway</html>');
    });

    it('refuses a 200 whose body is not JSON, saying so, instead of returning text as the user', async () => {
      service = await scriptedService(() => ({ status: 200, contentType: 'text/html', body: '<html>login page</html>' }));
      const error = await rejection(getMe(service.client()));
      assert.ok(error instanceof ExtraHorizonError);
      assert.equal(error.statusCode, 200);
      assert.match(error.message, /^200: the user is not JSON: /);
    });

    it('gives up after timeoutMs when the service does not answer', async () => {
      service = await scriptedService(() => undefined);
      const started = Date.now();
      const error = await rejection(getMe(service.client(), { timeoutMs: 150 }));
      assert.ok(error instanceof RequestError);
      assert.equal(error.code, 'ETIMEDOUT');
      assert.ok(Date.now() - started < 5_000, 'well before the default timeout');
    });

    it('stops when the caller aborts', async () => {
      service = await scriptedService(() => undefined);
      const controller = new AbortController();
      const pending = getMe(service.client(), { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      const error = await rejection(pending);
      assert.ok(error instanceof RequestError);
      assert.equal(error.code, 'EABORTED');
    });
  });

  describe('describeError', () => {
    it('reads "<status> <NAME>: <message>" for an Extra Horizon error body', () => {
      assert.equal(
        describeError(404, { code: 16, name: 'RESOURCE_UNKNOWN_EXCEPTION', message: 'no such route' }),
        '404 RESOURCE_UNKNOWN_EXCEPTION: no such route',
      );
    });

    it('uses what an object body has when it lacks a name or a message', () => {
      assert.equal(describeError(500, { message: 'database down' }), '500 database down');
      assert.equal(describeError(403, { name: 'NO_PERMISSION_EXCEPTION' }), '403 NO_PERMISSION_EXCEPTION');
    });

    it('quotes a text body after a colon, on one line', () => {
      assert.equal(describeError(502, '  <html>\n Bad gateway </html> '), '502: <html> Bad gateway </html>');
    });

    it('says the service gave no details for an empty, null or uninformative body', () => {
      for (const body of ['', '   ', null, undefined, {}, { code: 5 }, 42]) {
        assert.equal(describeError(500, body), '500: no error details from the service', `body ${JSON.stringify(body)}`);
      }
    });
  });

  describe('ExtraHorizonError', () => {
    it('is an Error carrying the status and the body, with the described message', () => {
      const body = { name: 'INVALID_TOKEN_EXCEPTION', message: 'token revoked' };
      const error = new ExtraHorizonError(401, body);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'ExtraHorizonError');
      assert.equal(error.statusCode, 401);
      assert.equal(error.body, body);
      assert.equal(error.message, describeError(401, body));
      assert.equal(error.message, '401 INVALID_TOKEN_EXCEPTION: token revoked');
    });
  });
});
