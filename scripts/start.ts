/**
 * `npm start`: the demo service plus Node-RED with this package, examples/flows.json and the
 * preset examples (NetSuite RESTlet call, Jira issue search, signed body),
 * on a user directory inside the repository (.node-red/, ignored by git).
 *
 * Each service of the examples reads its base URL and credentials from environment
 * variables; those not set point at the local demo service, so it works with no account.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { PASSWORD_VARIABLE, PortInUseError, portInUse, REPO_ROOT, startExampleEnvironment, type EditorLogin } from './node-red-env';

async function main(): Promise<void> {
  const quiet = process.env.NODE_RED_QUIET === '1';
  const port = Number(process.env.PORT ?? 1880);
  const demoPort = Number(process.env.DEMO_PORT ?? 8787);
  // A port another process holds is said at once, not after the build.
  for (const wanted of [port, demoPort]) if (await portInUse(wanted)) throw new PortInUseError(wanted);
  if (process.argv.includes('--build')) execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.js')], { stdio: 'inherit' });
  const examples = await startExampleEnvironment({
    userDir: path.resolve(process.env.NODE_RED_USER_DIR ?? path.join(REPO_ROOT, '.node-red')),
    port,
    demoPort,
    output: (line) => {
      if (!quiet) console.log(`[node-red] ${line}`);
    },
  });
  const { red, demo, fromEnvironment, login } = examples;

  console.log(`
  Node-RED with node-red-contrib-oauth1 is running:  ${red.url}/
  Demo service (Extra Horizon, Alteryx, NetSuite-like, Jira-like, body hash; checks every signature):  ${demo.url}
${login ? loginAdvice(login) : ''}
  Open the editor, click the buttons of the inject nodes on the "OAuth 1.0a examples" tab
  and watch the debug sidebar. ${fromEnvironment.length ? `From the environment: ${fromEnvironment.join(', ')}.` : 'All services point at the demo.'}
  Ctrl-C stops both.
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await examples.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  red.process.once('exit', (code) => {
    if (stopping) return;
    console.error(`Node-RED stopped (exit code ${code})`);
    void demo.close().then(() => process.exit(code ?? 1));
  });
}

/** How to sign in to the editor: a generated password is shown here, once, and nowhere else. */
function loginAdvice(login: EditorLogin): string {
  const password = login.generated
    ? `password: ${login.password}\n  (made for this start; set ${PASSWORD_VARIABLE} to choose your own)`
    : `the password in ${PASSWORD_VARIABLE}`;
  return `
  Real credentials come from the environment, so the editor asks for a login:
  user: ${login.username}   ${password}
`;
}

/** What to do about a port another process holds: which variable picks another. */
function portAdvice(error: PortInUseError): string {
  const variable = error.port === Number(process.env.DEMO_PORT ?? 8787) ? 'DEMO_PORT' : 'PORT';
  return `Cannot start: ${error.message} (another Node-RED or npm start?). Stop it, or choose another port: ${variable}=<port> npm start`;
}

main().catch((error: unknown) => {
  console.error(error instanceof PortInUseError ? portAdvice(error) : error instanceof Error ? error.message : error);
  process.exit(1);
});
