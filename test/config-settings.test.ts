/** What the config node hands the client: the settings of its dialog, parsed once. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import type { ServiceOptions } from '../src/lib/service';
import { helper, loadFlow, type FlowNode } from './support/node-red';

interface ConfigView {
  problem?: string;
  preset: string;
  probePath: string;
  requestTokenUrl: string;
  authorizeUrl: string;
  accessTokenUrl: string;
  client(): unknown;
}

type ClientModule = { createServiceClient: (settings: ServiceOptions) => unknown };

/** The built module the config node takes createServiceClient from, wrapped to see the settings. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const builtClient = require(path.join(__dirname, '..', 'dist', 'lib', 'service.js')) as ClientModule;

describe('oauth1-config: the settings it gives the client', () => {
  const original = builtClient.createServiceClient;
  let seen: ServiceOptions[] = [];
  beforeEach(() => {
    seen = [];
    builtClient.createServiceClient = (settings) => {
      seen.push(settings);
      return original(settings);
    };
  });
  afterEach(async () => {
    builtClient.createServiceClient = original;
    await helper.unload();
  });

  function flow(config: Record<string, unknown>): FlowNode[] {
    return [{ id: 'cfg', type: 'oauth1-config', baseUrl: 'https://api.example.com', ...config }];
  }

  async function settingsOf(config: Record<string, unknown>): Promise<ServiceOptions> {
    await loadFlow(['oauth1-config'], flow(config), { cfg: { consumerKey: 'k', consumerSecret: 'consumer-s3cret' } });
    (helper.getNode('cfg') as unknown as { client(): unknown }).client();
    assert.equal(seen.length, 1);
    return seen[0];
  }

  it('passes "Also sign for" as a list of origins, comma or space separated', async () => {
    const settings = await settingsOf({ extraOrigins: ' https://files.example.com,https://eu.example.com:8443  http://127.0.0.1:1880 ,' });
    assert.deepEqual(settings.extraOrigins, ['https://files.example.com', 'https://eu.example.com:8443', 'http://127.0.0.1:1880']);
  });

  it('passes no extra origin when the field is empty or missing (flows saved before it existed)', async () => {
    assert.deepEqual((await settingsOf({ extraOrigins: '' })).extraOrigins, []);
    await helper.unload();
    seen = [];
    assert.deepEqual((await settingsOf({})).extraOrigins, []);
  });

  it('passes the response limit in bytes: 100 MB by default', async () => {
    assert.equal((await settingsOf({ maxResponseMB: '5' })).maxResponseBytes, 5 * 1024 * 1024);
    for (const value of [undefined, '', 'lots', -1, 0]) {
      await helper.unload();
      seen = [];
      assert.equal((await settingsOf({ maxResponseMB: value })).maxResponseBytes, 100 * 1024 * 1024, `maxResponseMB ${String(value)}`);
    }
  });

  it('logs client lines with the secrets redacted and control characters escaped', async () => {
    const settings = await settingsOf({});
    const debug = helper.getNode('cfg').debug as unknown as { getCalls(): Array<{ args: unknown[] }> };
    settings.log?.('retry with consumer-s3cret in it\r\nforged');
    const lines = debug.getCalls().map((call) => String(call.args[0]));
    assert.ok(lines.includes('retry with … in it\\r\\nforged'), lines.join(' | '));
  });
});

describe('oauth1-config: presets, realm, body hash and the RSA private key', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const original = builtClient.createServiceClient;
  let seen: ServiceOptions[] = [];
  beforeEach(() => {
    seen = [];
    builtClient.createServiceClient = (settings) => {
      seen.push(settings);
      return original(settings);
    };
  });
  afterEach(async () => {
    builtClient.createServiceClient = original;
    await helper.unload();
  });

  async function configNode(config: Record<string, unknown>, credentials: Record<string, string>): Promise<ConfigView> {
    await loadFlow(['oauth1-config'], [{ id: 'cfg', type: 'oauth1-config', baseUrl: 'https://api.example.com', ...config }], { cfg: credentials });
    return helper.getNode('cfg') as unknown as ConfigView;
  }

  it('passes realm, body hash and the private key to the client; keeps preset, probe path and 3-legged URLs on the node', async () => {
    const node = await configNode(
      {
        preset: 'atlassian',
        signatureMethod: 'RSA-SHA1',
        realm: ' 1234567_SB1 ',
        bodyHash: true,
        probePath: 'rest/api/2/myself',
        requestTokenUrl: 'plugins/servlet/oauth/request-token',
        authorizeUrl: 'plugins/servlet/oauth/authorize',
        accessTokenUrl: 'plugins/servlet/oauth/access-token',
      },
      { consumerKey: 'k', privateKey: pem },
    );
    assert.equal(node.problem, undefined, 'RSA needs no consumer secret');
    node.client();
    assert.equal(seen[0]?.realm, '1234567_SB1');
    assert.equal(seen[0]?.bodyHash, true);
    assert.equal(seen[0]?.credentials.privateKey, pem);
    assert.equal(seen[0]?.signatureMethod, 'RSA-SHA1');
    assert.equal(node.preset, 'atlassian');
    assert.equal(node.probePath, 'rest/api/2/myself');
    assert.deepEqual(
      [node.requestTokenUrl, node.authorizeUrl, node.accessTokenUrl],
      ['plugins/servlet/oauth/request-token', 'plugins/servlet/oauth/authorize', 'plugins/servlet/oauth/access-token'],
    );
  });

  it('defaults for flows saved before presets: preset "custom", no realm, no body hash', async () => {
    const node = await configNode({}, { consumerKey: 'k', consumerSecret: 's' });
    node.client();
    assert.equal(node.preset, 'custom');
    assert.equal(seen[0]?.realm, undefined);
    assert.equal(seen[0]?.bodyHash, false);
  });

  it('RSA-SHA*: asks for the private key, not the consumer secret', async () => {
    const node = await configNode({ signatureMethod: 'RSA-SHA256' }, { consumerKey: 'k', consumerSecret: 's' });
    assert.equal(node.problem, 'private key missing');
    assert.throws(() => node.client(), /private key missing/);
  });

  it('RSA-SHA*: a token without a token secret is no problem (RFC 5849 §3.4.3)', async () => {
    const node = await configNode({ signatureMethod: 'RSA-SHA1' }, { consumerKey: 'k', token: 't', privateKey: pem });
    assert.equal(node.problem, undefined);
    assert.doesNotThrow(() => node.client());
  });

  it('a private key that does not parse is a problem at deploy that never shows the key', async () => {
    const broken = pem.replace(/[A-Za-z]{12}/, 'notbase64!!!');
    const node = await configNode({ signatureMethod: 'RSA-SHA1' }, { consumerKey: 'k', privateKey: broken });
    assert.match(node.problem ?? '', /private key does not parse/);
    assert.ok(!node.problem?.includes(broken.split('\n')[1].slice(0, 20)));
    const keyOfAnotherKind = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await helper.unload();
    const ec = await configNode({ signatureMethod: 'RSA-SHA1' }, { consumerKey: 'k', privateKey: keyOfAnotherKind });
    assert.match(ec.problem ?? '', /ec key: RSA-SHA1 needs an RSA key/);
  });

  it('a realm with a quote is a problem at deploy, not a crash at the first request', async () => {
    const node = await configNode({ realm: 'a"b' }, { consumerKey: 'k', consumerSecret: 's' });
    assert.match(node.problem ?? '', /realm must not contain quotes/);
  });
});
