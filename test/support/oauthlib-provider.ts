/** Starts test/verifier/oauthlib_provider.py: a 3-legged OAuth 1.0a provider built on oauthlib's endpoints. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { PYTHON } from './oauthlib-verifier';

export const PROVIDER_CONSUMER = { consumerKey: 'provider-consumer-key', consumerSecret: 'provider consumer secret & more' };

export interface Provider {
  url: string;
  close(): Promise<void>;
}

export function startProvider(): Promise<Provider> {
  const script = path.join(__dirname, '..', 'verifier', 'oauthlib_provider.py');
  const child = spawn(PYTHON, [script], {
    env: { ...process.env, PROVIDER_CONSUMER_KEY: PROVIDER_CONSUMER.consumerKey, PROVIDER_CONSUMER_SECRET: PROVIDER_CONSUMER.consumerSecret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the oauthlib provider did not start in 10 s')), 10_000);
    child.once('error', (error) => reject(new Error(`cannot start ${PYTHON}: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`the oauthlib provider exited with ${code}: is python3-oauthlib installed?`)));
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const port = Number(/listening (\d+)/.exec(line)?.[1]);
      resolve({
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
