/** Starts test/verifier/oauthlib_server.py: an OAuth 1.0a resource server built on oauthlib. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export const VERIFIER_CREDENTIALS = {
  consumerKey: 'interop-consumer-key',
  consumerSecret: 'interop consumer secret & more!',
  token: 'interop-token',
  tokenSecret: 'interop token secret %+',
};

/** What test/verifier/oauthlib_server.py answers: the request as oauthlib saw it, or why it refused it. */
export interface VerifierEcho {
  ok: boolean;
  method: string;
  path: string;
  /** The decoded query pairs other than `oauth_*`. */
  query: Array<[string, string]>;
  body: string;
  contentType: string | null;
  token: boolean;
  /** On a 401: the base string oauthlib expected. */
  baseString?: string;
}

export interface Verifier {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Debian's python3-oauthlib lives under /usr/bin/python3; OAUTHLIB_PYTHON overrides. */
export const PYTHON = process.env.OAUTHLIB_PYTHON ?? '/usr/bin/python3';

export function startVerifier(credentials = VERIFIER_CREDENTIALS): Promise<Verifier> {
  const script = path.join(__dirname, '..', 'verifier', 'oauthlib_server.py');
  const child: ChildProcess = spawn(PYTHON, [script], {
    env: {
      ...process.env,
      VERIFIER_CONSUMER_KEY: credentials.consumerKey,
      VERIFIER_CONSUMER_SECRET: credentials.consumerSecret,
      VERIFIER_TOKEN: credentials.token,
      VERIFIER_TOKEN_SECRET: credentials.tokenSecret,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the oauthlib verifier did not start in 10 s')), 10_000);
    child.once('error', (error) => reject(new Error(`cannot start ${PYTHON}: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`the oauthlib verifier exited with ${code}: is python3-oauthlib installed?`)));
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const port = Number(/listening (\d+)/.exec(line)?.[1]);
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill();
          }),
      });
    });
  });
}
