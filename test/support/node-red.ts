/**
 * Runs our nodes in the real Node-RED runtime (node-red-node-test-helper), loaded from the
 * built `dist/` that the package ships, with the core Catch node for error paths.
 *
 * `NODE_RED_RUNTIME=<folder of a node-red package>` runs them in another Node-RED than the
 * devDependency: CI uses it for Node-RED 5 on Node 22 (.ci/run).
 */
import fs from 'node:fs';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { NodeMessage } from 'node-red';

const RUNTIME_DIR = process.env.NODE_RED_RUNTIME ? path.resolve(process.env.NODE_RED_RUNTIME) : path.dirname(require.resolve('node-red/package.json'));
/** The core nodes that ship with that runtime. */
const CORE_NODES_DIR = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [RUNTIME_DIR] }));

helper.init(require.resolve(RUNTIME_DIR));

export { helper };

const DIST = path.join(__dirname, '..', '..', 'dist', 'nodes');

type Catalog = { [key: string]: string | Catalog };

/** The en-US catalogs of our nodes, merged by their top key (the node type), as the runtime's i18n reads them. */
function ourCatalogs(): Catalog {
  const merged: Catalog = {};
  for (const type of fs.readdirSync(DIST)) {
    const file = path.join(DIST, type, 'locales', 'en-US', `${type}.json`);
    if (fs.existsSync(file)) Object.assign(merged, JSON.parse(fs.readFileSync(file, 'utf8')) as Catalog);
  }
  return merged;
}

/**
 * `RED._` as the runtime has it: the helper's returns the key itself. A `namespace:` prefix
 * is dropped, `__name__` is substituted; an unknown key comes back as it is (without namespace), so a test sees it.
 */
export function translate(key: string, substitutions: Record<string, unknown> = {}): string {
  const found = key
    .slice(key.indexOf(':') + 1)
    .split('.')
    .reduce<string | Catalog | undefined>((node, part) => (typeof node === 'object' ? node[part] : undefined), ourCatalogs());
  // As i18next: an unknown key comes back without its namespace (the core catalog's keys, as the core spec expects them).
  if (typeof found !== 'string') return key.slice(key.indexOf(':') + 1);
  return found.replace(/__(\w+)__/g, (whole, name: string) => (name in substitutions ? String(substitutions[name]) : whole));
}

/** A node initializer of this package, by type, from the build, with the message catalogs the runtime would load. */
export function ourNode(type: string): (RED: unknown) => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const register = require(path.join(DIST, type, `${type}.js`)) as (RED: unknown) => void;
  return (RED: unknown) => register(Object.assign(RED as object, { _: translate }));
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const catchNode: (RED: unknown) => void = require(path.join(CORE_NODES_DIR, 'core/common/25-catch.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const httpProxyNode: (RED: unknown) => void = require(path.join(CORE_NODES_DIR, 'core/network/06-httpproxy.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const statusNode: (RED: unknown) => void = require(path.join(CORE_NODES_DIR, 'core/common/25-status.js'));

/** A core node of Node-RED by its file under @node-red/nodes (`core/function/15-change.js`), for flows beyond our nodes. */
export function coreNode(file: string): (RED: unknown) => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(CORE_NODES_DIR, file)) as (RED: unknown) => void;
}

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/**
 * A service `cfg` at `baseUrl` and one oauth1 request `req` (GET, Return: parsed JSON) wired
 * to the helper `out`; Catch sends to `caught`, Status to `statuses`.
 */
export function requestFlow(baseUrl: string, request: Record<string, unknown> = {}, config: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'oauth1-config', name: 'verifier', baseUrl, ...config },
    { id: 'req', type: 'oauth1-request', z: 'tab', server: 'cfg', method: 'GET', url: '', ret: 'obj', wires: [['out']], ...request },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'status', type: 'status', z: 'tab', scope: null, wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

/** Loads nodes and a flow; `credentials` maps node ids to their credentials. */
export async function loadFlow(types: string[], flow: FlowNode[], credentials: Record<string, Record<string, string>> = {}): Promise<void> {
  const initializers = [...types.map(ourNode), catchNode, statusNode, httpProxyNode];
  // The runtime treats a node without x/y as a config node; catch and status nodes must be flow nodes.
  const positioned = flow.map((node, index) => (node.z && !('x' in node) ? { x: 100, y: 40 * (index + 1), ...node } : node));
  await helper.load(initializers, positioned, credentials);
}

/**
 * Back to the runtime's own settings object. `helper.settings()` puts a merged copy in its
 * place, after which a test that changes `RED.settings` itself (Node-RED's own spec does)
 * would change nothing the nodes read.
 */
export function restoreSettings(): void {
  const internals = helper as unknown as { _settings: unknown; _RED: { settings: unknown } };
  internals._settings = internals._RED.settings;
}

/**
 * Loads a flow with a context store (the test helper knows none): `module` is a store's
 * name (`localfilesystem`) or a store factory, `config` its settings.
 */
export async function loadFlowWithContextStore(
  types: string[],
  flow: FlowNode[],
  credentials: Record<string, Record<string, string>>,
  store: { module: unknown; config?: unknown },
): Promise<void> {
  helper.settings({ contextStorage: { default: store } } as never);
  const redNodes = (helper as unknown as { _redNodes: { loadFlows(...args: unknown[]): Promise<unknown>; loadContextsPlugin(): Promise<unknown> } })._redNodes;
  const loadFlows = redNodes.loadFlows;
  redNodes.loadFlows = async (...args: unknown[]) => {
    await redNodes.loadContextsPlugin();
    return loadFlows.apply(redNodes, args);
  };
  try {
    await loadFlow(types, flow, credentials);
  } finally {
    redNodes.loadFlows = loadFlows;
  }
}

export interface Received {
  msg: NodeMessage & Record<string, unknown>;
}

/** Resolves with the next message a (helper) node receives, or rejects after `timeoutMs`. */
export function nextMessage<T = NodeMessage & Record<string, unknown>>(nodeId: string, timeoutMs = 10_000): Promise<T> {
  const node = helper.getNode(nodeId) as unknown as NodeJS.EventEmitter;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message at ${nodeId} within ${timeoutMs} ms`)), timeoutMs);
    node.once('input', (msg: T) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** Collects every message a node receives. */
export function collectMessages<T = NodeMessage & Record<string, unknown>>(nodeId: string): T[] {
  const messages: T[] = [];
  (helper.getNode(nodeId) as unknown as NodeJS.EventEmitter).on('input', (msg: T) => messages.push(msg));
  return messages;
}

/** JSON.stringify turns an Error into `{}`: keep what a log line would show of it. */
function loggable(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { ...value, name: value.name, message: value.message, stack: value.stack };
  return value;
}

/** Everything the runtime logged so far, one string per call, for searching secrets (Errors with their message and stack). */
export function logLines(): string[] {
  const spy = helper.log() as unknown as { args: unknown[][] } | undefined;
  return (spy?.args ?? []).map((args) => JSON.stringify(args, loggable));
}

export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
