/**
 * A Node-RED user directory with this package installed and a flow deployed, and the
 * Node-RED process running on it. Used by `npm start` and by the end-to-end tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..');

export interface UserDirOptions {
  userDir: string;
  port: number;
  flows: unknown[];
  /** Credentials per node id; values may be `${ENV}` references, which Node-RED resolves. */
  credentials?: Record<string, Record<string, string>>;
  /** Further settings.js entries. */
  settings?: Record<string, unknown>;
}

/** Writes settings.js, flows.json and flows_cred.json, and links this package into node_modules. */
export function prepareUserDir(options: UserDirOptions): void {
  const { userDir } = options;
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  const link = path.join(userDir, 'node_modules', 'node-red-contrib-oauth1');
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(REPO_ROOT, link, 'dir');
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: options.port,
    flowFile: 'flows.json',
    // The credentials file holds only ${ENV} references, so it needs no encryption here.
    credentialSecret: false,
    contextStorage: { default: { module: 'localfilesystem' } },
    editorTheme: { tours: false, projects: { enabled: false } },
    diagnostics: { enabled: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...options.settings,
  };
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(options.flows, null, 2));
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(options.credentials ?? {}, null, 2));
}

export interface RunningNodeRed {
  process: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts Node-RED on a prepared user directory and resolves once its editor answers. */
export async function startNodeRed(userDir: string, port: number, env: NodeJS.ProcessEnv, output: (line: string) => void): Promise<RunningNodeRed> {
  const red = require.resolve('node-red/red.js', { paths: [REPO_ROOT] });
  const child = spawn(process.execPath, [red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
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
      if (response.ok) break;
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
