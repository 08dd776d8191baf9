/**
 * The editor scripts scripts/build.js bundles from src/nodes/<type>/<type>.editor.ts into each node's .html in dist/,
 * run as the browser runs them, with a stand-in for RED: each registers its own node only, with
 * the runtime's own facts (credential fields, defaults, lists) from src/lib, and carries no npm
 * package into the browser. Run after `npm run build`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { CREDENTIALS, DEFAULT_MAX_RESPONSE_MB, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, PRIORITIES } from '../src/lib/constants';

const ROOT = path.join(__dirname, '..');
const NODE_TYPES = Object.keys(
  (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes,
);

interface PropertyDefinition {
  value: unknown;
  type?: string;
  validate?: (value: unknown) => boolean;
}

interface Registration {
  type: string;
  definition: { category: string; defaults: Record<string, PropertyDefinition>; credentials?: unknown; icon?: string };
}

/** The inline script of dist/nodes/<type>/<type>.html, the one script the editor runs for the node. */
function editorScript(type: string): string {
  const html = fs.readFileSync(path.join(ROOT, 'dist', 'nodes', type, `${type}.html`), 'utf8');
  const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((match) => match[1] ?? '');
  assert.equal(scripts.length, 1, `${type}.html has one script`);
  assert.ok(!/<script src/.test(html), `${type}.html loads no other script`);
  return scripts[0] ?? '';
}

/** What a node's script registers when the editor loads it. */
function registrations(type: string): Registration[] {
  const registered: Registration[] = [];
  const RED = {
    nodes: { registerType: (registeredType: string, definition: Registration['definition']) => registered.push({ type: registeredType, definition }) },
    validators: { number: () => (value: unknown) => value === '' || !isNaN(Number(value)) },
  };
  vm.runInNewContext(editorScript(type), { RED });
  return registered;
}

function registrationOf(type: string): Registration['definition'] {
  const [registration] = registrations(type);
  assert.ok(registration, `${type} registers a node`);
  return registration.definition;
}

describe('the editor scripts (bundled from src/nodes/*/*.editor.ts and src/lib)', () => {
  it('each node has its own script, which registers that node and no other (a node set disabled in the palette loads none)', () => {
    assert.deepEqual(NODE_TYPES, ['oauth1-config', 'oauth1-request', 'oauth1-get-me', 'oauth1-run-workflow']);
    for (const type of NODE_TYPES)
      assert.deepEqual(
        registrations(type).map((registration) => registration.type),
        [type],
      );
    assert.equal(registrationOf('oauth1-config').category, 'config');
    for (const type of NODE_TYPES.slice(1)) assert.equal(registrationOf(type).icon, `${type}.svg`, type);
  });

  it("declares the config node's credentials and its retries, timeout and response size defaults as the runtime has them", () => {
    const config = registrationOf('oauth1-config');
    // Through JSON: the script ran in another realm, whose objects have their own prototypes.
    assert.deepEqual(JSON.parse(JSON.stringify(config.credentials)), CREDENTIALS);
    assert.equal(config.defaults.retries?.value, DEFAULT_RETRIES);
    assert.equal(config.defaults.requestTimeout?.value, DEFAULT_TIMEOUT_MS);
    assert.equal(config.defaults.maxResponseMB?.value, DEFAULT_MAX_RESPONSE_MB);
    assert.deepEqual([DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_RESPONSE_MB], [3, 120_000, 100]);
  });

  it("validates run workflow's priority against the runtime's list", () => {
    const validate = registrationOf('oauth1-run-workflow').defaults.priority?.validate;
    assert.ok(validate);
    for (const priority of PRIORITIES) assert.ok(validate(priority), priority);
    for (const wrong of ['4', '', 'high']) assert.ok(!validate(wrong), wrong);
  });

  it('bundles only our own modules: no npm package rides along into the browser', () => {
    for (const type of NODE_TYPES) {
      // esbuild heads each bundled module with its path.
      const modules = [...editorScript(type).matchAll(/^ {2}\/\/ (\S+\.[a-z]+)$/gm)].map((match) => match[1]);
      assert.ok(modules.includes(`src/nodes/${type}/${type}.editor.ts`), `${type}: ${modules.join(', ')}`);
      // The node's one definition of its properties, which its runtime reads too.
      assert.ok(modules.includes(`src/nodes/${type}/${type}.properties.ts`), `${type}: ${modules.join(', ')}`);
      // Of src/nodes, only editor and properties modules: a runtime module would bring Node-RED's runtime into the page.
      assert.deepEqual(
        modules.filter((module) => !/^src\/(lib\/|nodes\/.+\.(editor|properties)\.ts$)/.test(module ?? '')),
        [],
        type,
      );
    }
  });
});
