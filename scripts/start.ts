/**
 * `npm start`: the demo service plus Node-RED with this package and examples/flows.json,
 * on a user directory inside the repository (.node-red/, ignored by git).
 *
 * Each service of the examples reads its base URL and credentials from environment
 * variables; those not set point at the local demo service, so it works with no account.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startDemoServer } from '../demo/server';
import { DEMO_CREDENTIALS } from '../demo/credentials';
import { prepareUserDir, REPO_ROOT, startNodeRed } from './node-red-env';

/** Which credentials each example service uses, by the variable its base URL names. */
const CREDENTIALS_BY_BASE_URL: Record<string, Record<string, string>> = {
  '${EXH_BASE_URL}': {
    consumerKey: '${API_OAUTH_CONSUMER_KEY}',
    consumerSecret: '${API_OAUTH_CONSUMER_SECRET}',
    token: '${API_OAUTH_TOKEN}',
    tokenSecret: '${API_OAUTH_TOKEN_SECRET}',
  },
  '${ALTERYX_GALLERY_URL}': { consumerKey: '${ALTERYX_API_KEY}', consumerSecret: '${ALTERYX_API_SECRET}' },
  '${ALTERYX_WEBAPI_URL}': { consumerKey: '${ALTERYX_API_KEY}', consumerSecret: '${ALTERYX_API_SECRET}' },
};

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 1880);
  const demo = await startDemoServer({ port: Number(process.env.DEMO_PORT ?? 8787) });
  const demoDefaults: Record<string, string> = {
    EXH_BASE_URL: demo.url,
    API_OAUTH_CONSUMER_KEY: DEMO_CREDENTIALS.consumerKey,
    API_OAUTH_CONSUMER_SECRET: DEMO_CREDENTIALS.consumerSecret,
    API_OAUTH_TOKEN: DEMO_CREDENTIALS.token,
    API_OAUTH_TOKEN_SECRET: DEMO_CREDENTIALS.tokenSecret,
    ALTERYX_GALLERY_URL: `${demo.url}/gallery/api`,
    ALTERYX_WEBAPI_URL: `${demo.url}/webapi`,
    ALTERYX_API_KEY: DEMO_CREDENTIALS.consumerKey,
    ALTERYX_API_SECRET: DEMO_CREDENTIALS.consumerSecret,
  };
  const env: NodeJS.ProcessEnv = { ...process.env };
  const fromDemo: string[] = [];
  for (const [name, value] of Object.entries(demoDefaults)) {
    if (!env[name]) {
      env[name] = value;
      fromDemo.push(name);
    }
  }

  const userDir = path.resolve(process.env.NODE_RED_USER_DIR ?? path.join(REPO_ROOT, '.node-red'));
  const flows = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples', 'flows.json'), 'utf8')) as Array<Record<string, unknown>>;
  const credentials: Record<string, Record<string, string>> = {};
  for (const node of flows) {
    const refs = node.type === 'oauth1-config' ? CREDENTIALS_BY_BASE_URL[String(node.baseUrl)] : undefined;
    if (refs) credentials[String(node.id)] = refs;
  }
  prepareUserDir({ userDir, port, flows, credentials });

  const quiet = process.env.NODE_RED_QUIET === '1';
  const red = await startNodeRed(userDir, port, env, (line) => {
    if (!quiet) console.log(`[node-red] ${line}`);
  });

  console.log(`
  Node-RED with node-red-contrib-oauth1 is running:  ${red.url}/
  Demo service (Extra Horizon + Alteryx, checks every signature):  ${demo.url}

  Open the editor, click the buttons of the inject nodes on the "OAuth 1.0a examples" tab
  and watch the debug sidebar. ${fromDemo.length === Object.keys(demoDefaults).length ? 'All services point at the demo.' : `From the environment: ${Object.keys(demoDefaults).filter((n) => !fromDemo.includes(n)).join(', ')}.`}
  Ctrl-C stops both.
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await red.stop();
    await demo.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  red.process.once('exit', (code) => {
    if (stopping) return;
    console.error(`Node-RED stopped (exit code ${code})`);
    void demo.close().then(() => process.exit(code ?? 1));
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
