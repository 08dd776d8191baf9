/**
 * The config dialog's "Test connection": one signed request with the settings in the
 * dialog, summed up in a line for people. Extra Horizon when a token is set (`users/v1/me`,
 * 3-legged), else the Alteryx workflow list (`v1/workflows/subscription/`, 1-legged or
 * OAuth 2). Knows nothing of Node-RED, so it is tested on its own.
 */
import { AlteryxApi, isAlteryxError, type AlteryxTransport } from '../../lib/alteryx';
import { isRequestError } from '../../lib/client';
import { createServiceClient, missingCredentials, type ServiceSettings } from '../../lib/service';
import { ExtraHorizonError, getMe, ME_PATH } from '../../lib/extrahorizon';
import { credentialsRedactor } from '../../lib/redact';
import { httpOrigin } from '../shared/service-settings';

export const WORKFLOW_LIST_PATH = 'v1/workflows/subscription/';

export interface ConnectionTestResult {
  ok: boolean;
  /** What was asked: `GET users/v1/me`. */
  request?: string;
  statusCode?: number;
  /** One line, never a secret: "signed in as Ada Lovelace (ada@example.com)", "3 workflows: …", or the error. */
  message: string;
}

const TEST_TIMEOUT_MS = 15_000;

/**
 * The requests go to paths under the base URL only, so credentials go to its origin (a
 * redirect to another origin is followed without them, by the client's rule).
 */
export async function testConnection(settings: ServiceSettings): Promise<ConnectionTestResult> {
  const problem = baseUrlProblem(settings.baseUrl) ?? missingCredentials(settings.credentials);
  if (problem) return { ok: false, message: problem };
  const client = createServiceClient({ ...settings, retries: 0, timeoutMs: TEST_TIMEOUT_MS });
  let statusCode: number | undefined;
  const transport: AlteryxTransport = {
    request: async (request) => {
      const response = await client.request(request);
      statusCode = response.statusCode;
      return response as never;
    },
  };
  const threeLegged = settings.scheme !== 'oauth2' && Boolean(settings.credentials.token);
  const request = `GET ${threeLegged ? ME_PATH : WORKFLOW_LIST_PATH}`;
  try {
    if (threeLegged) {
      const me = await getMe(client);
      return { ok: true, request, statusCode: me.statusCode, message: `signed in as ${describeUser(me.user)}` };
    }
    const workflows = await new AlteryxApi(transport).listWorkflows();
    const names = workflows.slice(0, 3).map((workflow) => workflow.name);
    const more = workflows.length > names.length ? ', …' : '';
    const count = `${workflows.length} workflow${workflows.length === 1 ? '' : 's'} to run`;
    return { ok: true, request, statusCode, message: names.length ? `${count}: ${names.join(', ')}${more}` : count };
  } catch (error) {
    const message = credentialsRedactor(settings.credentials)(describeFailure(error));
    if (error instanceof ExtraHorizonError) return { ok: false, request, statusCode: error.statusCode, message };
    if (isAlteryxError(error)) return { ok: false, request, statusCode: error.details.statusCode ?? statusCode, message };
    return { ok: false, request, message };
  } finally {
    client.destroy();
  }
}

function describeUser(user: Record<string, unknown>): string {
  const name = [user.first_name, user.last_name].filter((part) => typeof part === 'string' && part).join(' ');
  const email = typeof user.email === 'string' ? user.email : '';
  if (name && email) return `${name} (${email})`;
  return name || email || (typeof user.id === 'string' ? `user ${user.id}` : 'an unnamed user');
}

function describeFailure(error: unknown): string {
  if (error instanceof ExtraHorizonError || isAlteryxError(error) || isRequestError(error)) return error.message;
  return error instanceof Error ? `unexpected error: ${error.message}` : 'unexpected error';
}

function baseUrlProblem(baseUrl: string | undefined): string | undefined {
  if (!baseUrl) return 'base URL missing: the test calls the service at its base URL, and only there are credentials sent';
  if (!httpOrigin(baseUrl)) return 'the base URL is not an http:// or https:// address';
  return undefined;
}
