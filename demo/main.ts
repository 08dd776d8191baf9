/**
 * `npx tsx demo/main.ts`: runs the demo server until Ctrl-C or SIGTERM.
 * Environment: DEMO_PORT (default 8787), DEMO_HOST (default 127.0.0.1).
 */
import { DEMO_WORKFLOW_IDS } from './alteryx';
import { DEMO_CREDENTIALS } from './credentials';
import { startDemoServer } from './server';

const DEFAULT_PORT = 8787;

function portFromEnvironment(): number {
  const text = process.env.DEMO_PORT;
  if (text === undefined || text === '') return DEFAULT_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`DEMO_PORT must be a port number, not "${text}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const server = await startDemoServer({
    port: portFromEnvironment(),
    host: process.env.DEMO_HOST || '127.0.0.1',
    onRequest: ({ method, path, status }) => console.log(`${new Date().toISOString()} ${method} ${path} → ${status}`),
  });

  // Only the public halves are printed; the secrets are in demo/credentials.ts.
  console.log(`Demo server listening on ${server.url}`);
  console.log(`  Extra Horizon base URL:         ${server.baseUrls.extraHorizon}   (GET /users/v1/me, OAuth 1.0a with token)`);
  console.log(`  Alteryx Gallery base URL:       ${server.baseUrls.gallery}   (v1 routes, 1-legged OAuth 1.0a)`);
  console.log(`  Alteryx Server webapi base URL: ${server.baseUrls.webapi}   (v1 routes, V3 job list and cancel; OAuth 2 client credentials)`);
  console.log(
    `  NetSuite-like base URL:         ${server.baseUrls.netsuite}   (5 requests at a time; also the RESTlet at /netsuite/app/site/hosting/restlet.nl)`,
  );
  console.log(`  X-like base URL:                ${server.baseUrls.x}   (GET 2/users/me: 75 requests per 15 minutes, x-rate-limit-* headers)`);
  console.log(`  IETF RateLimit-like base URL:   ${server.baseUrls.ietf}   (GET items: 60 requests per minute, RateLimit-* and Retry-After)`);
  console.log(`  Workflows: Sales report ${DEMO_WORKFLOW_IDS.salesReport}, Customer import (fails) ${DEMO_WORKFLOW_IDS.customerImport},`);
  console.log(`             Nightly forecast (never finishes) ${DEMO_WORKFLOW_IDS.nightlyForecast}`);
  console.log(`  Credentials are DEMO VALUES (consumer key "${DEMO_CREDENTIALS.consumerKey}", token "${DEMO_CREDENTIALS.token}";`);
  console.log('  secrets in demo/credentials.ts). They open nothing but this local server.');
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl-C means now.
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: closing the demo server`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`demo server did not close cleanly: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const inUse = error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  const message = inUse
    ? `port ${process.env.DEMO_PORT || DEFAULT_PORT} is in use: set DEMO_PORT to another one`
    : error instanceof Error
      ? error.message
      : String(error);
  console.error(`demo server failed to start: ${message}`);
  process.exit(1);
});
