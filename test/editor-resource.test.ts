/**
 * resources/oauth1-editor.js, the editor helper scripts/build.js generates: the presets table,
 * the NetSuite derivation and the signature methods' facts come from the compiled src/lib, so
 * the editor and the runtime cannot disagree. Run after `npm run build`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { BODY_HASH_DIGESTS, SIGNATURE_METHODS, usesPrivateKey } from '../src/lib/oauth1';
import { netsuiteSettings, PRESETS } from '../src/lib/presets';

interface EditorHelper {
  PRESETS: unknown;
  SIGNATURE_METHODS: string[];
  BODY_HASH_DIGESTS: Record<string, string>;
  netsuiteSettings(accountId: string): unknown;
  usesPrivateKey(method: string): boolean;
  findPreset(id: string | undefined): { id: string };
}

/** The generated file run as the browser runs it, with just enough of jQuery for its top level. */
function loadEditorHelper(): EditorHelper {
  const source = fs.readFileSync(path.join(__dirname, '..', 'resources', 'oauth1-editor.js'), 'utf8');
  const window: { OAuth1Editor?: EditorHelper } = {};
  vm.runInNewContext(source, { window, $: { extend: (...objects: object[]) => Object.assign({}, ...objects) } });
  assert.ok(window.OAuth1Editor, 'the helper registers window.OAuth1Editor');
  return window.OAuth1Editor;
}

describe('the editor helper resource (generated from src/lib)', () => {
  const editor = loadEditorHelper();

  it('serves the presets table of src/lib/presets.ts, not a copy', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(editor.PRESETS)), JSON.parse(JSON.stringify(PRESETS)));
    assert.equal(editor.findPreset('netsuite').id, 'netsuite');
    assert.equal(editor.findPreset('no-such-preset').id, 'custom');
    assert.equal(editor.findPreset(undefined).id, 'custom');
  });

  it("derives NetSuite's realm, hosts and 3-legged URLs with the library's own function", () => {
    for (const accountId of ['1234567', '1234567_SB1', ' 1234567-sb1 ', 'not an id', '']) {
      assert.deepEqual(JSON.parse(JSON.stringify(editor.netsuiteSettings(accountId) ?? null)), netsuiteSettings(accountId) ?? null, accountId);
    }
  });

  it('offers all seven signature methods, knows which sign with a private key and which digest the body hash takes', () => {
    assert.deepEqual([...editor.SIGNATURE_METHODS], [...SIGNATURE_METHODS]);
    assert.equal(SIGNATURE_METHODS.length, 7);
    for (const method of SIGNATURE_METHODS) assert.equal(editor.usesPrivateKey(method), usesPrivateKey(method), method);
    assert.deepEqual({ ...editor.BODY_HASH_DIGESTS }, BODY_HASH_DIGESTS);
    assert.deepEqual(BODY_HASH_DIGESTS, {
      'HMAC-SHA1': 'SHA-1',
      'HMAC-SHA256': 'SHA-256',
      'HMAC-SHA512': 'SHA-512',
      'RSA-SHA1': 'SHA-1',
      'RSA-SHA256': 'SHA-256',
      'RSA-SHA512': 'SHA-512',
      PLAINTEXT: 'SHA-1',
    });
  });
});
