/**
 * The config dialog's token routes ("Get token", Extra Horizon sign-in), beside the Test connection route of admin.ts
 * and under the same rules (../shared/admin-routes.ts):
 *
 * - `POST /oauth1-config/:id/authorize` (the form + `callbackUrl`) → `{ok, authorizeUrl}`
 * - `GET  /oauth1-config/:id/callback?oauth_token&oauth_verifier` → a page that tells the dialog
 * - `POST /oauth1-config/:id/verifier` `{verifier}` (PIN providers) → `{ok, token}`
 * - `POST /oauth1-config/:id/password-token` `{email, password}` | `{mfa}` (Extra Horizon)
 *
 * An obtained pair is stored with `RED.nodes.addCredentials`: the runtime's credential store,
 * which Node-RED writes to flows_cred.json at the next deploy (a runtime node has no other
 * way to save). The dialog puts the token in its field, so the node counts as changed and
 * the deploy that saves it also restarts the node with the new pair. The token secret never
 * leaves the runtime; the answers carry the token only. A password is used once and is never
 * stored, logged, echoed or audited.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';
import { ExtraHorizonError, mfaToken, passwordToken, type SignInResult } from '../../lib/extrahorizon';
import { describeProbeAnswer, findPreset } from '../../lib/presets';
import { printable } from '../../lib/text';
import { createRedactor } from '../../lib/redact';
import { isSuccess } from '../../lib/response';
import { createServiceClient, type ServiceOptions } from '../../lib/service';
import { callbackPath, isOwnCallbackUrl, PendingAuthorizations, type TokenPair } from '../../lib/three-legged';
import { accessToken, authorizationPage, requestToken, TokenRequestError, type TokenDanceSettings } from '../../lib/token-requests';
import { ADMIN_REQUEST_RULES, auditStoredSecretsUse, obtainedTokens, settingsFromForm, storedValuesOf, warnFromAdminRoute } from '../shared/admin-routes';
import { getConfigNode, type OAuth1ConfigCredentials } from '../shared/config';
import { configNodeId } from '../shared/node.properties';
import { httpOrigin, proxyOptionsFrom, tlsOptionsOf } from '../shared/service-settings';
import type { PostedServiceForm } from './oauth1-config.properties';

/** What a pending request token remembers until its callback: where to exchange it, and which probe tells who signed in. */
interface DanceContext {
  service: TokenDanceSettings;
  preset?: string;
  /** The form's `tls-config` node id, "" for none: an obtained pair is for that TLS configuration only. */
  tlsId: string;
}

/** What the routes answer once a pair is stored: the token, never its secret; who it belongs to when the preset's probe can tell. */
interface StoredToken {
  ok: true;
  token: string;
  who?: string;
}

class Refusal extends Error {}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** The dialog form as the token routes get it. */
function bodyOf(req: Request): PostedServiceForm & Record<string, unknown> {
  const raw: unknown = req.body;
  return typeof raw === 'object' && raw !== null ? (raw as PostedServiceForm & Record<string, unknown>) : {};
}

export function registerTokenAdmin(RED: NodeAPI): void {
  const pending = new PendingAuthorizations<DanceContext>();
  const write = RED.auth.needsPermission('oauth1-config.write');

  RED.httpAdmin.post('/oauth1-config/:id/authorize', write, ...ADMIN_REQUEST_RULES, (req, res) => {
    void respond(RED, req, res, 'authorize', async (id) => startDance(RED, req, id, pending));
  });
  // No admin auth and no same-site rule: the provider's redirect brings the browser here.
  RED.httpAdmin.get('/oauth1-config/:id/callback', (req, res) => {
    void answerCallback(RED, req, res, pending);
  });
  RED.httpAdmin.post('/oauth1-config/:id/verifier', write, ...ADMIN_REQUEST_RULES, (req, res) => {
    void respond(RED, req, res, 'verifier', async (id) => {
      const verifier = text(bodyOf(req).verifier);
      // An empty code does not use up the waiting request token.
      if (!verifier) throw new Refusal('type the code the provider shows');
      const dance = pending.takeForNode(id);
      if (!dance) throw new Refusal('no sign-in is waiting for a code: click "Get token" again (a request token lasts 10 minutes and is used once)');
      return finishDance(RED, id, dance, verifier);
    });
  });
  RED.httpAdmin.post('/oauth1-config/:id/password-token', write, ...ADMIN_REQUEST_RULES, (req, res) => {
    void respond(RED, req, res, 'password-token', async (id) => signIn(RED, req, id));
  });
}

/**
 * Runs one route's work and answers JSON: its result, 400 `{ok: false, message}` for a
 * refusal, or `{ok: false, message}` with what the provider said. Messages never hold a
 * secret of the form, nor the password.
 */
async function respond(RED: NodeAPI, req: Request, res: Response, route: string, work: (id: string) => Promise<object>): Promise<void> {
  const id = String(req.params.id);
  const body = bodyOf(req);
  const redact = createRedactor([
    text(body.password),
    ...Object.values(body.credentials ?? {}).map(text),
    text((body.mfa as Record<string, unknown> | undefined)?.code),
  ]);
  try {
    res.json(await work(id));
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error));
    if (error instanceof Refusal) {
      res.status(400).json({ ok: false, message });
    } else if (error instanceof TokenRequestError || error instanceof ExtraHorizonError) {
      res.json({ ok: false, message });
    } else {
      warnFromAdminRoute(RED, id, `${route} failed: ${message}`);
      res.status(500).json({ ok: false, message: `${route} failed: ${message}` });
    }
  }
}

/** The form as settings under rule 3 of admin-routes.ts, with its token URLs and TLS; audited when stored values are used. */
function formSettings(RED: NodeAPI, req: Request, id: string, event: string): DanceContext & { preset: string } {
  const body = bodyOf(req);
  const deployed = getConfigNode(RED, id);
  const reading = settingsFromForm(body, storedValuesOf(RED, id, deployed));
  if (reading.refusal !== undefined) throw new Refusal(reading.refusal);
  if (reading.usesStoredValues) auditStoredSecretsUse(RED, event, id, httpOrigin(reading.settings.baseUrl ?? ''), req);
  const tlsId = configNodeId(body.tls);
  const settings: TokenDanceSettings = {
    ...reading.settings,
    requestTokenUrl: text(body.requestTokenUrl),
    authorizeUrl: text(body.authorizeUrl),
    accessTokenUrl: text(body.accessTokenUrl),
    tls: tlsId ? tlsOptionsOf(RED, tlsId) : undefined,
    proxyOptions: proxyOptionsFrom(RED),
  };
  return { service: settings, preset: text(body.preset), tlsId };
}

/**
 * `callbackUrl` must be this package's callback route for this node, on the host and under
 * the admin root this request itself came to (or `oob`): anything else would send the
 * user, and the verifier, to another site. The `Origin` header is not the editor's address:
 * any client can send one.
 */
function checkedCallback(req: Request, id: string): string {
  const callbackUrl = text(bodyOf(req).callbackUrl);
  // `baseUrl` is where Node-RED mounted its admin API: httpAdminRoot.
  if (!isOwnCallbackUrl(callbackUrl, id, { host: req.get('host') ?? '', adminRoot: req.baseUrl })) {
    throw new Refusal(`callbackUrl must be "oob" or this editor's own ${callbackPath(id)} address`);
  }
  return callbackUrl;
}

async function startDance(RED: NodeAPI, req: Request, id: string, pending: PendingAuthorizations<DanceContext>): Promise<object> {
  const callbackUrl = checkedCallback(req, id);
  const { service: settings, preset, tlsId } = formSettings(RED, req, id, 'oauth1-config.authorize');
  // Checked before anything is sent: the editor opens this address.
  const page = httpOrigin(authorizationPage(settings, 'x'));
  if (!page) throw new Refusal('the authorize URL must be an http:// or https:// address');
  const pair = await requestToken(settings, callbackUrl);
  pending.add(id, pair, { service: settings, preset, tlsId });
  return { ok: true, authorizeUrl: authorizationPage(settings, pair.token) };
}

async function finishDance(RED: NodeAPI, id: string, dance: TokenPair & { settings: DanceContext }, verifier: string): Promise<StoredToken> {
  const { service, preset, tlsId } = dance.settings;
  const pair = await accessToken(service, dance, verifier);
  return storeTokenPair(RED, id, service, pair, tlsId, preset);
}

/**
 * Keeps the pair as the node's credentials (see the file comment for when it is saved), then
 * asks the preset's probe who it belongs to; a probe that fails only leaves `who` out.
 */
async function storeTokenPair(RED: NodeAPI, id: string, settings: ServiceOptions, pair: TokenPair, tlsId: string, presetId?: string): Promise<StoredToken> {
  // The consumer pair stays as stored (a `${NAME}` stays a reference); the dialog's Deploy sends the one it holds.
  const existing = (RED.nodes.getCredentials(id) ?? {}) as OAuth1ConfigCredentials;
  await RED.nodes.addCredentials(id, { ...existing, token: pair.token, tokenSecret: pair.tokenSecret });
  // Until a deploy saves it, the dialog's Test connection and token routes take this pair as typed in, for this service.
  const service = {
    baseUrl: settings.baseUrl ?? '',
    scheme: settings.scheme ?? 'oauth1',
    signatureMethod: settings.signatureMethod ?? 'HMAC-SHA1',
    placement: settings.placement,
    tls: tlsId,
    extraOrigins: settings.extraOrigins,
  };
  obtainedTokens(RED).set(id, { token: pair.token, tokenSecret: pair.tokenSecret, service });
  const audit = { level: RED.log.AUDIT, event: 'oauth1-config.token-stored', id: printable(id), origin: httpOrigin(settings.baseUrl ?? '') };
  RED.log.audit(audit);
  const who = await probeWho({ ...settings, credentials: { ...settings.credentials, ...pair } }, presetId);
  return { ok: true, token: pair.token, ...(who ? { who } : {}) };
}

async function probeWho(settings: ServiceOptions, presetId: string | undefined): Promise<string | undefined> {
  const probe = presetId ? findPreset(presetId).probe : undefined;
  if (!probe?.identity || !settings.baseUrl) return undefined;
  const client = createServiceClient({ ...settings, retries: 0, timeoutMs: 10_000 });
  try {
    const response = await client.request({ method: 'GET', url: probe.path, headers: { Accept: 'application/json' }, responseType: 'json' });
    return isSuccess(response) ? describeProbeAnswer(probe, response.body) : undefined;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

/** Extra Horizon: email and password (or the MFA code) for a token pair, signed with the consumer pair only. */
async function signIn(RED: NodeAPI, req: Request, id: string): Promise<object> {
  const body = bodyOf(req);
  const mfa = typeof body.mfa === 'object' && body.mfa !== null ? (body.mfa as Record<string, unknown>) : undefined;
  const email = text(body.email);
  // The password is taken as typed: spaces may be part of it.
  const password = typeof body.password === 'string' ? body.password : '';
  if (!mfa && (!email || !password)) throw new Refusal('email and password are both needed to sign in');
  if (mfa && (!text(mfa.token) || !text(mfa.methodId) || !text(mfa.code))) throw new Refusal('mfa needs token, methodId and code');
  const { service: settings, preset, tlsId } = formSettings(RED, req, id, 'oauth1-config.password-token');
  const { consumerKey, consumerSecret } = settings.credentials;
  if (!consumerKey || !consumerSecret) throw new Refusal('consumer key and consumer secret are needed to sign in');
  const consumerOnly: ServiceOptions = { ...settings, credentials: { consumerKey, consumerSecret }, retries: 0 };
  const client = createServiceClient(consumerOnly);
  let result: SignInResult;
  try {
    result = mfa
      ? await mfaToken(client, { token: text(mfa.token), methodId: text(mfa.methodId), code: text(mfa.code) })
      : await passwordToken(client, email, password);
  } finally {
    client.destroy();
  }
  if (!result.ok) return { ok: false, mfa: { token: result.mfa.token, methods: result.mfa.methods } };
  return storeTokenPair(RED, id, consumerOnly, result, tlsId, preset || 'extrahorizon');
}

const NO_STORE = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' };

/** JSON that can sit inside a <script> element: no `<`, `>`, `&` or line separators left raw. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The page the provider's redirect lands on. It tells the dialog (its opener) the outcome
 * by `postMessage` to this page's own origin, the editor's, and closes; without an opener
 * it says what to do. A script nonce in the CSP lets only its own script run.
 */
function callbackPage(res: Response, status: number, outcome: { ok: boolean; id: string; token?: string; who?: string; message: string }): void {
  const nonce = randomBytes(16).toString('base64');
  const data = { type: 'oauth1-config-token', ...outcome };
  res
    .status(status)
    .set({ ...NO_STORE, 'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'` })
    .type('html')
    .send(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>OAuth1 token</title></head><body>` +
        `<p>${escapeHtml(outcome.message)}</p>` +
        `<script nonce="${nonce}">(function(){var data=${scriptJson(data)};` +
        `if(window.opener){window.opener.postMessage(data,window.location.origin);setTimeout(function(){window.close();},${outcome.ok ? 300 : 5000});}})();</script>` +
        `</body></html>`,
    );
}

async function answerCallback(RED: NodeAPI, req: Request, res: Response, pending: PendingAuthorizations<DanceContext>): Promise<void> {
  const id = String(req.params.id);
  const requestToken = typeof req.query.oauth_token === 'string' ? req.query.oauth_token : '';
  const verifier = typeof req.query.oauth_verifier === 'string' ? req.query.oauth_verifier : '';
  const dance = requestToken ? pending.take(id, requestToken) : undefined;
  if (!dance) {
    callbackPage(res, 400, {
      ok: false,
      id,
      message: 'This sign-in link is unknown, already used or expired (after 10 minutes). Click "Get token" in the Node-RED editor again.',
    });
    return;
  }
  try {
    const stored = await finishDance(RED, id, dance, verifier);
    const message = `Token received${stored.who ? ` for ${stored.who}` : ''}. You can close this window; deploy to use it.`;
    callbackPage(res, 200, { ...stored, id, message });
  } catch (error) {
    const reason = createRedactor([dance.tokenSecret, dance.settings.service.credentials.consumerSecret])(
      error instanceof Error ? error.message : String(error),
    );
    callbackPage(res, 400, { ok: false, id, message: `No token: ${reason}` });
  }
}
