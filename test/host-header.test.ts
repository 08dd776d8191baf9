/**
 * A `Host` header must not move credentials to another virtual host: Node takes
 * the TLS server name (SNI) and the certificate check from it, so on a front end serving
 * several tenants a `Host` of another tenant's name would deliver the signed request there.
 */
import assert from 'node:assert/strict';
import type { HttpClient } from '../src/lib/client';
import { createServiceClient, type ServiceOptions } from '../src/lib/service';
import { requestRejection } from './support/assertions';
import { helper, loadFlow, nextMessage, type FlowNode } from './support/node-red';
import { selfSignedCertificate, startRecordingServer, type RecordingServer, type SelfSigned } from './support/tls-server';

const CREDENTIALS = { consumerKey: 'host-consumer', consumerSecret: 'HOST-consumer-secret', token: 'host-token', tokenSecret: 'HOST-token-secret' };

describe('Host header: the URL alone says where credentials go (src/lib/host-header)', function () {
  this.timeout(20_000);
  let certificate: SelfSigned;
  let secure: RecordingServer;
  let plain: RecordingServer;
  const clients: HttpClient[] = [];

  function client(server: RecordingServer, settings: Partial<ServiceOptions> = {}): HttpClient {
    const created = createServiceClient({ baseUrl: server.url, credentials: CREDENTIALS, retries: 0, tls: { ca: certificate.cert }, ...settings });
    clients.push(created);
    return created;
  }

  before(async () => {
    certificate = selfSignedCertificate();
    [secure, plain] = await Promise.all([startRecordingServer(certificate), startRecordingServer()]);
  });
  afterEach(() => {
    for (const created of clients.splice(0)) created.destroy();
    secure.seen.length = 0;
    plain.seen.length = 0;
  });
  after(() => Promise.all([secure?.close(), plain?.close()]));

  for (const [label, headers] of [
    ['Host', { Host: 'other.test' }],
    ['host copied from an earlier response', { host: 'other.test', 'content-type': 'application/json' }],
    ['HOST with the same name on another port', { HOST: 'localhost:1' }],
  ] as const) {
    it(`refuses a signed HTTPS request whose ${label} names another host: nothing sent`, async () => {
      const error = await requestRejection(client(secure).request({ url: '/me', headers }));
      assert.equal(error.code, 'EORIGIN');
      assert.match(error.message, /^not sent: the Host header ".+" names another host than the URL \(localhost:\d+\); .*remove Host from msg\.headers$/);
      assert.deepEqual(secure.seen, [], 'the signed request reached a server');
    });
  }

  it('refuses a signed plain-HTTP request with another Host, and an OAuth 2 token request too', async () => {
    assert.equal((await requestRejection(client(plain).request({ url: '/me', headers: { Host: 'other.test' } }))).code, 'EORIGIN');
    const oauth2 = client(plain, { scheme: 'oauth2' });
    const tokenRequest = oauth2.request({
      method: 'POST',
      url: 'oauth2/token',
      body: 'client_secret=x',
      headers: { Host: 'other.test' },
      authorize: false,
      credentialsInBody: true,
    });
    assert.equal((await requestRejection(tokenRequest)).code, 'EORIGIN');
    assert.deepEqual(plain.seen, []);
  });

  it("sends a Host equal to the URL's host with SNI and certificate from the URL", async () => {
    await client(secure).request({ url: '/me', headers: { host: `LOCALHOST:${secure.port}` } });
    await client(plain).request({ url: '/me', headers: { Host: `localhost:${plain.port}` } });
    assert.deepEqual(
      secure.seen.map(({ host, servername }) => ({ host, servername })),
      [{ host: `localhost:${secure.port}`, servername: 'localhost' }],
    );
    assert.equal(plain.seen[0]?.host, `localhost:${plain.port}`);
    assert.match(secure.seen[0]?.authorization ?? '', /^OAuth /);
  });

  it('lets no Host header change SNI or the certificate name of an unsigned request (authorize: false)', async () => {
    await client(secure).request({ url: `${secure.url}/public`, headers: { Host: 'other.test' }, authorize: false });
    await client(plain).request({ url: `${plain.url}/public`, headers: { Host: 'other.test' }, authorize: false });
    assert.deepEqual(secure.seen, [{ host: `localhost:${secure.port}`, servername: 'localhost', authorization: undefined, url: '/public' }]);
    assert.equal(plain.seen[0]?.host, `localhost:${plain.port}`);
  });

  describe('in a flow (oauth1 request)', () => {
    afterEach(() => helper.unload());

    function flow(baseUrl: string): FlowNode[] {
      return [
        { id: 'tab', type: 'tab' },
        { id: 'cfg', type: 'oauth1-config', baseUrl },
        { id: 'node', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'GET', url: 'me', ret: 'txt', wires: [['out']] },
        { id: 'out', type: 'helper', z: 'tab' },
        { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']], x: 100, y: 200 },
        { id: 'caught', type: 'helper', z: 'tab' },
      ];
    }

    it('sends a Catch error for msg.headers.host naming another tenant, and nothing to the server', async () => {
      await loadFlow(['oauth1-config', 'oauth1-request'], flow(plain.url), { cfg: { ...CREDENTIALS } });
      const caught = nextMessage<{ error: { message: string } }>('caught');
      helper.getNode('node').receive({ headers: { host: 'other.test' } });
      assert.match((await caught).error.message, /^GET me: not sent: the Host header "other\.test" names another host than the URL \(localhost:\d+\)/);
      assert.deepEqual(plain.seen, []);
    });

    it('passes on the headers of an earlier response of the same host', async () => {
      await loadFlow(['oauth1-config', 'oauth1-request'], flow(plain.url), { cfg: { ...CREDENTIALS } });
      const out = nextMessage<{ statusCode: number }>('out');
      helper.getNode('node').receive({ headers: { host: `localhost:${plain.port}`, 'content-type': 'application/json' } });
      assert.equal((await out).statusCode, 200);
      assert.equal(plain.seen[0]?.host, `localhost:${plain.port}`);
    });
  });
});
