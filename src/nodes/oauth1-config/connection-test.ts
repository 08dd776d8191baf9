/**
 * The config dialog's "Test connection": one signed request with the settings in the
 * dialog, summed up in a line for people. The request is the chosen preset's own probe
 * (src/lib/presets.ts: Extra Horizon's `users/v1/me`, Alteryx' workflow list, NetSuite's
 * metadata catalog…), or for Custom the probe path typed in. Knows nothing of Node-RED, so
 * it is tested on its own.
 */
import { alteryxApiFor, type AlteryxTransport } from '../../lib/alteryx';
import type { HttpClient } from '../../lib/client';
import { withLikelyCause, type SigningDiagnosis } from '../../lib/diagnosis';
import { describeProbeAnswer, findPreset, type Probe } from '../../lib/presets';
import { isSuccess } from '../../lib/response';
import { createServiceClient, missingCredentials, signingProblem, type ServiceOptions } from '../../lib/service';
import { describeError, getMe, ME_PATH } from '../../lib/extrahorizon';
import { isServiceError, ServiceError } from '../../lib/errors';
import { credentialsRedactor } from '../../lib/redact';
import { httpOrigin } from '../shared/service-settings';

export interface ConnectionTestResult {
  ok: boolean;
  /** What was asked: `GET users/v1/me`. */
  request?: string;
  statusCode?: number;
  /** One line, never a secret: "signed in as Ada Lovelace (ada@example.com)", "3 workflows: …", or the error. */
  message: string;
  /** A refused signature: what was signed and the likely cause, as `msg.signing` has them. */
  signing?: SigningDiagnosis;
}

const TEST_TIMEOUT_MS = 15_000;

/** The probe of a form: its preset's own, or for Custom the probe path typed in; undefined when there is none. */
export function probeOf(preset: string | undefined, probePath: string | undefined): Probe | undefined {
  const chosen = findPreset(preset);
  if (chosen.probe) return chosen.probe;
  const path = (probePath ?? '').trim().replace(/^\/+/, '');
  return path ? { path } : undefined;
}

export const NO_PROBE = 'nothing to test with: name a probe path (a cheap signed GET relative to the base URL, such as users/v1/me), or choose the service';

/**
 * Sends the probe (a GET under the base URL), so credentials go to its origin only (a
 * redirect to another origin is followed without them, by the client's rule).
 */
export async function testConnection(settings: ServiceOptions, probe: Probe | undefined): Promise<ConnectionTestResult> {
  const signatureMethod = settings.scheme === 'oauth2' ? undefined : settings.signatureMethod;
  const problem =
    baseUrlProblem(settings.baseUrl) ??
    missingCredentials(settings.credentials, signatureMethod) ??
    (signatureMethod ? signingProblem({ ...settings, signatureMethod }) : undefined) ??
    (probe ? undefined : NO_PROBE);
  if (problem || !probe) return { ok: false, message: problem ?? NO_PROBE };
  const client = createServiceClient({ ...settings, retries: 0, timeoutMs: TEST_TIMEOUT_MS });
  const request = `GET ${probe.path}`;
  const seen: ProbeStatus = { statusCode: undefined };
  try {
    const message = await sendProbe(client, probe, seen);
    return { ok: true, request, statusCode: seen.statusCode, message };
  } catch (error) {
    const message = credentialsRedactor(settings.credentials, () => client.currentSecrets())(describeFailure(error));
    // A library error brings its status code and signing; a 2xx the probe could not read, the status seen.
    if (isServiceError(error)) return withSigning({ ok: false, request, statusCode: error.statusCode ?? seen.statusCode, message }, error.signing);
    return { ok: false, request, message };
  } finally {
    client.destroy();
  }
}

/** A non-2xx answer to a probe: "401 INVALID_LOGIN: …", read as Extra Horizon's errors are (any `{name, message}`, text or status). */
class ProbeRefused extends ServiceError {
  constructor(statusCode: number, body: unknown, signing?: SigningDiagnosis) {
    super(withLikelyCause(describeError(statusCode, body), signing), 'EHTTP', { words: String(statusCode) }, { statusCode, signing });
  }
}

function withSigning(result: ConnectionTestResult, signing: SigningDiagnosis | undefined): ConnectionTestResult {
  return signing ? { ...result, signing } : result;
}

/** The status code of the last answer the probe got, whatever came of it. */
interface ProbeStatus {
  statusCode: number | undefined;
}

/**
 * One line on what the probe answered; throws on a non-2xx answer. Extra Horizon's `users/v1/me`
 * and Alteryx' workflow list keep their own readers (names, workflow names); any other probe is
 * read with the preset's identity fields.
 */
async function sendProbe(client: HttpClient, probe: Probe, seen: ProbeStatus): Promise<string> {
  if (probe.path === ME_PATH) {
    const me = await getMe(client);
    seen.statusCode = me.statusCode;
    return `signed in as ${describeUser(me.user)}`;
  }
  if (probe.count === 'workflow') {
    const transport: AlteryxTransport = {
      request: async (request) => {
        const response = await client.request(request);
        seen.statusCode = response.statusCode;
        return response;
      },
    };
    return describeWorkflows(await alteryxApiFor(transport, {}).listWorkflows());
  }
  const response = await client.request({ method: 'GET', url: probe.path, headers: { Accept: 'application/json' }, responseType: 'json' });
  seen.statusCode = response.statusCode;
  if (!isSuccess(response)) throw new ProbeRefused(response.statusCode, response.body, response.signing);
  const who = response.jsonError ? undefined : describeProbeAnswer(probe, response.body);
  if (who === undefined) return `the signed request was accepted (HTTP ${response.statusCode})`;
  return probe.count ? who : `signed in as ${who}`;
}

function describeWorkflows(workflows: Array<{ name: string }>): string {
  const names = workflows.slice(0, 3).map((workflow) => workflow.name);
  const more = workflows.length > names.length ? ', …' : '';
  const count = `${workflows.length} workflow${workflows.length === 1 ? '' : 's'} to run`;
  return names.length ? `${count}: ${names.join(', ')}${more}` : count;
}

function describeUser(user: Record<string, unknown>): string {
  const name = [user.first_name, user.last_name].filter((part) => typeof part === 'string' && part).join(' ');
  const email = typeof user.email === 'string' ? user.email : '';
  if (name && email) return `${name} (${email})`;
  return name || email || (typeof user.id === 'string' ? `user ${user.id}` : 'an unnamed user');
}

function describeFailure(error: unknown): string {
  if (isServiceError(error)) return error.message;
  return error instanceof Error ? `unexpected error: ${error.message}` : 'unexpected error';
}

function baseUrlProblem(baseUrl: string | undefined): string | undefined {
  if (!baseUrl) return 'base URL missing: the test calls the service at its base URL, and only there are credentials sent';
  if (!httpOrigin(baseUrl)) return 'the base URL is not an http:// or https:// address';
  return undefined;
}
