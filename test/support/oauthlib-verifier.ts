/** Starts test/verifier/oauthlib_server.py: an OAuth 1.0a resource server built on oauthlib. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';

export const VERIFIER_CREDENTIALS = {
  consumerKey: 'interop-consumer-key',
  consumerSecret: 'interop consumer secret & more!',
  token: 'interop-token',
  tokenSecret: 'interop token secret %+',
};

/**
 * The RSA key of the RSA-SHA* interop tests, made for this test run: the verifier gets its
 * public half (VERIFIER_RSA_PUBLIC_KEY), the signer the private half as a PKCS#8 PEM.
 */
export const VERIFIER_RSA_PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

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
  /** The realm oauthlib read from the Authorization header (never signed; checked by its validate_realms against X-Resource-Realm). */
  realm?: string | null;
  /** The `oauth_body_hash` the server checked against the body bytes. */
  bodyHash?: string | null;
  /** The Cookie header as it arrived. */
  cookie?: string | null;
  /** The body bytes as they arrived, base64. */
  bodyBase64?: string;
  /** On a 401: why (the body hash check) or that oauthlib refused it. */
  message?: string;
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
  return startPythonServer('oauthlib_server.py', 'the oauthlib verifier', {
    VERIFIER_CONSUMER_KEY: credentials.consumerKey,
    VERIFIER_CONSUMER_SECRET: credentials.consumerSecret,
    VERIFIER_TOKEN: credentials.token,
    VERIFIER_TOKEN_SECRET: credentials.tokenSecret,
    VERIFIER_RSA_PUBLIC_KEY: createPublicKey(VERIFIER_RSA_PRIVATE_KEY).export({ type: 'spki', format: 'pem' }).toString(),
  });
}

/** Starts a script of test/verifier/ under Debian's Python; it prints "listening <port>" as its first line. */
export function startPythonServer(scriptName: string, what: string, env: Record<string, string>): Promise<Verifier> {
  const script = path.join(__dirname, '..', 'verifier', scriptName);
  const child: ChildProcess = spawn(PYTHON, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 10 s`)), 10_000);
    child.once('error', (error) => reject(new Error(`cannot start ${PYTHON}: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}: is python3-oauthlib installed?`)));
    readline.createInterface({ input: child.stdout! }).once('line', (line) => {
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
