/**
 * A Node-RED user directory with this package installed and a flow deployed, and the
 * Node-RED process running on it; and the whole example environment (demo service plus
 * Node-RED) that `npm start` and the browser test (test/browser/editor.test.ts) run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { isRecord } from '../demo/http';
import { startDemoServer, type DemoServer } from '../demo/server';

export const REPO_ROOT = path.resolve(__dirname, '..');
const PACKAGE_NAME = 'node-red-contrib-oauth1';

export interface UserDirOptions {
  userDir: string;
  port: number;
  flows: unknown[];
  /** Credentials per node id; values may be `${ENV}` references, which Node-RED resolves. */
  credentials?: Record<string, Record<string, string>>;
  /** Further settings.js entries. */
  settings?: Record<string, unknown>;
}

/** The file in a user directory that keeps its credential secret; generated once, never leaves it. */
export const CREDENTIAL_SECRET_FILE = '.credential-secret';

/** The user directory's credential secret, made on first use. */
export function credentialSecret(userDir: string): string {
  const file = path.join(userDir, CREDENTIAL_SECRET_FILE);
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  return fs.readFileSync(file, 'utf8');
}

/** Credentials as Node-RED stores them with a `credentialSecret`: AES-256-CTR under SHA-256 of the secret. */
export function encryptCredentials(secret: string, credentials: unknown): { $: string } {
  const key = createHash('sha256').update(secret).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return { $: iv.toString('hex') + cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64') };
}

/**
 * Links this package into the user directory's node_modules and lists it in its package.json
 * as a `file:` dependency: a palette install runs `npm install <other>` there, and npm
 * removes whatever package.json does not list, our link included. Packages installed from
 * the palette stay listed across starts.
 */
export function linkPackage(userDir: string): void {
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  const link = path.join(userDir, 'node_modules', PACKAGE_NAME);
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(REPO_ROOT, link, 'dir');
  const manifestFile = path.join(userDir, 'package.json');
  const found: unknown = fs.existsSync(manifestFile) ? JSON.parse(fs.readFileSync(manifestFile, 'utf8')) : undefined;
  const manifest = isRecord(found) ? found : { name: 'node-red-project', description: 'The user directory of npm start', version: '0.0.1', private: true };
  const dependencies = isRecord(manifest.dependencies) ? manifest.dependencies : {};
  manifest.dependencies = { ...dependencies, [PACKAGE_NAME]: `file:${REPO_ROOT}` };
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * Writes settings.js, flows.json and flows_cred.json (encrypted with the user directory's own
 * credential secret, as the credentials a person enters in the editor will be), and links
 * this package into node_modules ({@link linkPackage}).
 */
export function prepareUserDir(options: UserDirOptions): void {
  const { userDir } = options;
  linkPackage(userDir);
  const secret = credentialSecret(userDir);
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: options.port,
    flowFile: 'flows.json',
    contextStorage: { default: { module: 'localfilesystem' } },
    editorTheme: { tours: false, projects: { enabled: false } },
    diagnostics: { enabled: false },
    // No consent prompt in the editor, and nothing sent to nodered.org from a development setup.
    telemetry: { enabled: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...options.settings,
  };
  // settings.js reads the secret from its file, so the secret is kept in one place.
  const readSecret = `require('node:fs').readFileSync(require('node:path').join(__dirname, ${JSON.stringify(CREDENTIAL_SECRET_FILE)}), 'utf8')`;
  const source = `module.exports = {\n  ...${JSON.stringify(settings, null, 2).replace(/\n/g, '\n  ')},\n  credentialSecret: ${readSecret},\n};\n`;
  // Only its owner reads it: it may hold adminAuth's password hash.
  const settingsFile = path.join(userDir, 'settings.js');
  fs.writeFileSync(settingsFile, source, { mode: 0o600 });
  fs.chmodSync(settingsFile, 0o600);
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(options.flows, null, 2));
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(encryptCredentials(secret, options.credentials ?? {}), null, 2));
}

export interface RunningNodeRed {
  process: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Preloaded into Node-RED: its server refuses a `Host` that does not name this machine, and pages of other origins. */
const HOST_GUARD = path.join(REPO_ROOT, 'scripts', 'host-guard.js');

/**
 * Starts Node-RED on a prepared user directory and resolves once its editor answers. It answers
 * only requests addressed to this machine (scripts/host-guard.js): a web page that rebinds its
 * own name to 127.0.0.1 gets 403, and so does a page of another origin.
 */
export async function startNodeRed(userDir: string, port: number, env: NodeJS.ProcessEnv, output: (line: string) => void): Promise<RunningNodeRed> {
  // Else the editor of whatever holds the port would answer below, as if this Node-RED had started.
  if (await portInUse(port)) throw new PortInUseError(port);
  const red = require.resolve('node-red/red.js', { paths: [REPO_ROOT] });
  const child = spawn(process.execPath, ['--require', HOST_GUARD, red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) output(line);
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const code = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(resolve, 250))]);
    if (code !== undefined) throw new Error(`Node-RED exited with code ${code} before it started`);
    try {
      const response = await fetch(`${url}/settings`);
      // With adminAuth on, the settings ask for a token (401): Node-RED is up all the same.
      if (response.ok || response.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error('Node-RED did not start within 60 s');
    }
  }
  return {
    process: child,
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A port on 127.0.0.1 that another process listens on. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} on 127.0.0.1 is already in use by another process`);
    this.name = 'PortInUseError';
  }
}

/** Whether another process listens on 127.0.0.1:`port` (0 picks a free port: never in use). */
export function portInUse(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(true) : reject(error)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('a TCP server listens on no TCP port'));
      else server.close(() => resolve(address.port));
    });
  });
}

/** The environment variables the example flows read, pointing at the demo service. */
export function demoVariables(demo: DemoServer): Record<string, string> {
  return {
    EXH_BASE_URL: demo.url,
    API_OAUTH_CONSUMER_KEY: DEMO_CREDENTIALS.consumerKey,
    API_OAUTH_CONSUMER_SECRET: DEMO_CREDENTIALS.consumerSecret,
    API_OAUTH_TOKEN: DEMO_CREDENTIALS.token,
    API_OAUTH_TOKEN_SECRET: DEMO_CREDENTIALS.tokenSecret,
    ALTERYX_GALLERY_URL: `${demo.url}/gallery/api`,
    ALTERYX_WEBAPI_URL: `${demo.url}/webapi`,
    ALTERYX_API_KEY: DEMO_CREDENTIALS.consumerKey,
    ALTERYX_API_SECRET: DEMO_CREDENTIALS.consumerSecret,
    ...presetDemoVariables(demo),
  };
}

/**
 * The variables of the preset examples (examples/netsuite-restlet-call.json, jira-issue-search.json, body-hash-post.json,
 * upload-file.json).
 * The Jira private key is the demo's, made at its start: it exists only in this process and Node-RED's.
 */
function presetDemoVariables(demo: DemoServer): Record<string, string> {
  return {
    NETSUITE_BASE_URL: demo.baseUrls.netsuite,
    NETSUITE_RESTLET_URL: `${demo.url}/netsuite/app/site/hosting/restlet.nl?script=42&deploy=1`,
    NETSUITE_CONSUMER_KEY: DEMO_CREDENTIALS.consumerKey,
    NETSUITE_CONSUMER_SECRET: DEMO_CREDENTIALS.consumerSecret,
    NETSUITE_TOKEN_ID: DEMO_CREDENTIALS.token,
    NETSUITE_TOKEN_SECRET: DEMO_CREDENTIALS.tokenSecret,
    JIRA_BASE_URL: demo.baseUrls.jira,
    JIRA_CONSUMER_KEY: DEMO_CREDENTIALS.consumerKey,
    JIRA_PRIVATE_KEY: demo.rsaPrivateKey,
    JIRA_TOKEN: DEMO_CREDENTIALS.token,
    JIRA_TOKEN_SECRET: DEMO_CREDENTIALS.tokenSecret,
    BODY_HASH_BASE_URL: demo.baseUrls.bodyHash,
    BODY_HASH_CONSUMER_KEY: DEMO_CREDENTIALS.consumerKey,
    BODY_HASH_CONSUMER_SECRET: DEMO_CREDENTIALS.consumerSecret,
  };
}

/** The example files `npm start` deploys: the main tab and one tab per preset family. */
export const DEPLOYED_EXAMPLES = ['flows.json', 'netsuite-restlet-call.json', 'jira-issue-search.json', 'body-hash-post.json', 'upload-file.json'];

export interface ExampleEnvironmentOptions {
  userDir: string;
  /** 0 picks a free port. */
  port: number;
  /** 0 picks a free port. */
  demoPort: number;
  /** Variables set here win over the demo's, unless `demoOnly`. */
  env?: NodeJS.ProcessEnv;
  /** Every service of the examples points at the demo, whatever the environment says. */
  demoOnly?: boolean;
  /**
   * Deploy examples/flows.json and the preset examples ({@link DEPLOYED_EXAMPLES}) with `${ENV}` credentials (the default, `npm start`), or
   * start with an empty workspace, for a test that imports the examples through the editor.
   */
  deployExamples?: boolean;
  settings?: Record<string, unknown>;
  /** Receives Node-RED's output, line by line. */
  output?: (line: string) => void;
}

/** The variable that sets the editor's password when real credentials come from the environment. */
export const PASSWORD_VARIABLE = 'NODE_RED_PASSWORD';
/** The user the editor signs in as when real credentials come from the environment. */
export const ADMIN_USER = 'admin';

/** The editor's login: set when real credentials come from the environment. */
export interface EditorLogin {
  username: string;
  password: string;
  /** Made at this start (to be shown once), rather than taken from {@link PASSWORD_VARIABLE}. */
  generated: boolean;
}

/** The part of bcryptjs that hashes: loaded from Node-RED's install, not typed by our dependencies. */
function isBcrypt(value: unknown): value is { hashSync(password: string, rounds: number): string } {
  return isRecord(value) && typeof value.hashSync === 'function';
}

/** bcrypt as Node-RED's install has it (the hash adminAuth wants), rather than a dependency of our own. */
function bcryptHash(password: string): string {
  const fromNodeRed = createRequire(require.resolve('node-red/package.json', { paths: [REPO_ROOT] }));
  const bcrypt: unknown = fromNodeRed('bcryptjs');
  if (!isBcrypt(bcrypt)) throw new Error("Node-RED's bcryptjs has no hashSync");
  return bcrypt.hashSync(password, 10);
}

/**
 * The editor's login for an environment whose real credentials a flow could read (a function
 * node's `env.get`): the password from {@link PASSWORD_VARIABLE}, else a random one, to be shown once.
 */
function editorLogin(env: NodeJS.ProcessEnv): { login: EditorLogin; adminAuth: Record<string, unknown> } {
  const chosen = env[PASSWORD_VARIABLE];
  const password = chosen || randomBytes(18).toString('base64url');
  return {
    login: { username: ADMIN_USER, password, generated: !chosen },
    adminAuth: { type: 'credentials', users: [{ username: ADMIN_USER, password: bcryptHash(password), permissions: '*' }] },
  };
}

export interface ExampleEnvironment {
  demo: DemoServer;
  red: RunningNodeRed;
  /** The login the editor asks for, when the environment gave real credentials (and the settings no adminAuth of their own). */
  login?: EditorLogin;
  /** The example variables taken from the demo (all of them unless the environment set some). */
  fromDemo: string[];
  /** The example variables taken from the environment. */
  fromEnvironment: string[];
  /** Stops Node-RED and starts it again on the same user directory and port: deployed flows stay, newly installed nodes load. */
  restartNodeRed(): Promise<RunningNodeRed>;
  stop(): Promise<void>;
}

/**
 * The example variables for Node-RED: the demo's, except those the environment sets (unless
 * `demoOnly`), which are real credentials.
 */
function exampleVariables(demo: DemoServer, options: ExampleEnvironmentOptions): { env: NodeJS.ProcessEnv; fromDemo: string[]; fromEnvironment: string[] } {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  const fromDemo: string[] = [];
  const fromEnvironment: string[] = [];
  for (const [name, value] of Object.entries(demoVariables(demo))) {
    if (env[name] && !options.demoOnly) {
      fromEnvironment.push(name);
    } else {
      env[name] = value;
      fromDemo.push(name);
    }
  }
  return { env, fromDemo, fromEnvironment };
}

/**
 * The deployed example flows, their credentials apart: the examples carry `${ENV}` credential
 * references, as an editor import would take them; a deployed flow keeps credentials in flows_cred.json.
 */
function deployedExamples(): { flows: Array<Record<string, unknown>>; credentials: Record<string, Record<string, string>> } {
  const flows = DEPLOYED_EXAMPLES.flatMap((file) => {
    const nodes: unknown = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8'));
    if (!Array.isArray(nodes)) throw new Error(`examples/${file} is not a list of nodes`);
    const listed: readonly unknown[] = nodes;
    return listed.filter(isRecord);
  });
  const credentials: Record<string, Record<string, string>> = {};
  for (const node of flows) {
    if (isRecord(node.credentials)) {
      credentials[String(node.id)] = Object.fromEntries(Object.entries(node.credentials).map(([name, value]) => [name, String(value)]));
      delete node.credentials;
    }
  }
  return { flows, credentials };
}

/** The demo service plus Node-RED with this package, on a fresh user directory. */
export async function startExampleEnvironment(options: ExampleEnvironmentOptions): Promise<ExampleEnvironment> {
  for (const wanted of [options.port, options.demoPort]) if (await portInUse(wanted)) throw new PortInUseError(wanted);
  const port = options.port || (await freePort());
  const demo = await startDemoServer({ port: options.demoPort });
  try {
    const { env, fromDemo, fromEnvironment } = exampleVariables(demo, options);
    const { flows, credentials } = options.deployExamples !== false ? deployedExamples() : { flows: [], credentials: {} };
    // Without a login, anyone who reaches the editor could deploy a flow that reads the real credentials.
    const secured = fromEnvironment.length > 0 && !options.settings?.adminAuth ? editorLogin(env) : undefined;
    // The flows have no use for the editor's password.
    delete env[PASSWORD_VARIABLE];
    const settings = secured ? { ...options.settings, adminAuth: secured.adminAuth } : options.settings;
    prepareUserDir({ userDir: options.userDir, port, flows, credentials, settings });
    const output = options.output ?? (() => undefined);
    const environment: ExampleEnvironment = {
      demo,
      red: await startNodeRed(options.userDir, port, env, output),
      login: secured?.login,
      fromDemo,
      fromEnvironment,
      restartNodeRed: async () => {
        await environment.red.stop();
        environment.red = await startNodeRed(options.userDir, port, env, output);
        return environment.red;
      },
      stop: async () => {
        await environment.red.stop();
        await demo.close();
      },
    };
    return environment;
  } catch (error) {
    await demo.close();
    throw error;
  }
}
