/** What the config node hands the client: the settings of its dialog, parsed once. */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { ServiceSettings } from '../src/lib/service';
import { helper, loadFlow, type FlowNode } from './support/node-red';

type ClientModule = { createServiceClient: (settings: ServiceSettings) => unknown };

/** The built module the config node takes createServiceClient from, wrapped to see the settings. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const builtClient = require(path.join(__dirname, '..', 'dist', 'lib', 'service.js')) as ClientModule;

describe('oauth1-config: the settings it gives the client', () => {
  const original = builtClient.createServiceClient;
  let seen: ServiceSettings[] = [];
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

  async function settingsOf(config: Record<string, unknown>): Promise<ServiceSettings> {
    await loadFlow(['oauth1-config'], flow(config), { cfg: { consumerKey: 'k', consumerSecret: 's' } });
    (helper.getNode('cfg') as unknown as { client(): unknown }).client();
    assert.equal(seen.length, 1);
    return seen[0]!;
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
    settings.log?.('retry with s in it\r\nforged');
    const lines = debug.getCalls().map((call) => String(call.args[0]));
    assert.ok(lines.includes('retry with … in it\\r\\nforged'), lines.join(' | '));
  });
});
