/**
 * The rules every admin endpoint of this package follows, in one place so that the Test
 * connection route and the token routes (authorize, callback, verifier, password-token)
 * apply them alike:
 *
 * 1. Same-origin browsers only. A request that the browser marks `Sec-Fetch-Site:
 *    cross-site` or `same-site` (another port of the same host is "same-site") is refused
 *    with 403, GET routes included, even from a site `httpAdminCors` allows: these routes
 *    are for the editor. The editor's own calls are `same-origin`; tools that send no such
 *    header (curl, node-red-admin) are not browsers and need no protection. `Origin` is
 *    not compared with `Host`: behind a reverse proxy that rewrites Host, the editor
 *    itself would be refused; every current browser sends `Sec-Fetch-Site`.
 *    The exception is the OAuth callback of the token routes (`GET /oauth1-config/:id/callback`): the
 *    provider's redirect reaches it cross-site by nature, so it takes neither this rule
 *    nor admin auth; its pending request token (one use, 10 minutes) is the capability.
 * 2. JSON bodies only. Node-RED's admin API also parses form-encoded bodies, which a plain
 *    HTML form on any web page can post; a POST whose Content-Type is not
 *    `application/json` gets 415 and nothing is done. (A cross-site JSON post needs a CORS
 *    preflight, which the admin API does not grant, so older browsers without
 *    `Sec-Fetch-Site` are held off too.)
 * 3. Stored values only for the deployed service. In a posted form, `__PWRD__` (the
 *    editor's "password unchanged") and `${NAME}` values stand for the DEPLOYED node's
 *    values, and only when the form's base URL origin, scheme, signature method,
 *    placement and TLS configuration equal the deployed node's, and the form signs for no
 *    origin the deployed node does not. A `${NAME}` stands only for what the deployed
 *    node's own field holds, where that field is written `${NAME}` too: a form cannot read
 *    any other variable of the process. Otherwise the answer asks for the secrets to be
 *    typed in and nothing is sent. For an id that is not deployed they are never resolved.
 * 4. Each use of stored secrets writes an audit line (`RED.log.audit`): event, node id,
 *    origin, and the user, path and address Node-RED adds from the request.
 *
 * Permission checks (`RED.auth.needsPermission`) come first on each route, as before.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { NodeAPI } from 'node-red';
import type { AuthScheme, ServiceOptions } from '../../lib/service';
import type { Placement } from '../../lib/oauth1';
import { CREDENTIAL_NAMES, type CredentialName, type SignatureMethod } from '../../lib/constants';
import type { OAuth1ConfigCredentials, OAuth1ConfigNode } from './config';
import { printable } from '../../lib/text';
import { originList } from '../../lib/service';
import { realmAndBodyHash, signingSettings, type PostedServiceForm } from '../oauth1-config/oauth1-config.properties';
import { configNodeId } from './node.properties';
import { httpOrigin, serviceCredentials } from './service-settings';

/** The editor shows a saved password as this placeholder; the value itself stays on the server. */
export const UNCHANGED_PASSWORD = '__PWRD__';
/** A whole `${NAME}` value is the variable, as Node-RED reads credentials at deploy. */
const VARIABLE_REFERENCE = /^\$\{(\S+)\}$/;
const BROWSER_SITES_ALLOWED = new Set(['same-origin', 'none']);
const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

function refuse(res: Response, statusCode: number, message: string): void {
  res.status(statusCode).json({ ok: false, message });
}

/** Rule 1: 403 for a request a browser sends from another site. */
export function sameOriginOnly(req: Request, res: Response, next: NextFunction): void {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && !BROWSER_SITES_ALLOWED.has(site.toLowerCase())) {
    refuse(res, 403, `refused: a request from another site (Sec-Fetch-Site: ${site}); use the Node-RED editor`);
    return;
  }
  next();
}

/** Rule 2: 415 for a request body that is not JSON. */
export function jsonBodiesOnly(req: Request, res: Response, next: NextFunction): void {
  if (!METHODS_WITHOUT_BODY.has(req.method) && !req.is('application/json')) {
    refuse(res, 415, 'send the form as application/json');
    return;
  }
  next();
}

/** Rules 1 and 2, to put after the permission check of every admin route of this package. */
export const ADMIN_REQUEST_RULES: RequestHandler[] = [sameOriginOnly, jsonBodiesOnly];

/** The fields of a form that may hold a `${NAME}`. */
export type FormField = 'baseUrl' | 'scheme' | 'placement' | 'signatureMethod' | 'extraOrigins' | 'realm' | CredentialName;

/** What of a deployed config node decides where its secrets may go. */
export interface DeployedService {
  baseUrl: string;
  scheme: AuthScheme;
  signatureMethod: SignatureMethod;
  placement?: Placement;
  /** Id of its `tls-config` node, "" for none. */
  tls?: string;
  extraOrigins?: readonly string[];
}

/** Where a form sends its credentials, and through which TLS configuration (a `tls-config` id, "" for none). */
export type ServiceTarget = Pick<ServiceOptions, 'baseUrl' | 'scheme' | 'placement' | 'signatureMethod' | 'extraOrigins'> & { tls?: string };

/**
 * Why stored secrets may not go where `form` sends them (one line, no secret, naming each
 * field that differs and the form's value), or undefined when `form` is the deployed
 * service: same base URL origin, scheme, signature method, placement and TLS
 * configuration, and no extra origin the deployed node lacks.
 */
export function storedSecretsProblem(form: ServiceTarget, deployed: DeployedService | undefined): string | undefined {
  if (!deployed) return "this node is not deployed, and stored values are only used for a deployed node's own service";
  const origin = httpOrigin(deployed.baseUrl);
  const service = `the deployed service (${origin ?? 'no base URL'}, ${deployed.scheme}, ${deployed.signatureMethod})`;
  const differences: string[] = [];
  // Each difference names its field and this form's value (none of them secret), so the user sees what to change back.
  const formOrigin = httpOrigin(form.baseUrl ?? '');
  if (!origin || formOrigin !== origin) differences.push(`base URL origin ${formOrigin ?? '(none)'}`);
  if ((form.scheme ?? 'oauth1') !== deployed.scheme) differences.push(`scheme ${form.scheme ?? 'oauth1'}`);
  if ((form.signatureMethod ?? 'HMAC-SHA1') !== deployed.signatureMethod) differences.push(`signature method ${form.signatureMethod ?? 'HMAC-SHA1'}`);
  // OAuth 2 sends no signature: where an OAuth 1.0a one would go does not matter there.
  if (deployed.scheme === 'oauth1' && (form.placement ?? 'header') !== (deployed.placement ?? 'header'))
    differences.push(`placement ${form.placement ?? 'header'}`);
  // A lax TLS node (no certificate check) would let an impostor receive PLAINTEXT secrets.
  if (configNodeId(form.tls) !== configNodeId(deployed.tls)) differences.push(`TLS configuration ${configNodeId(form.tls) || '(none)'}`);
  const allowed = new Set(deployed.extraOrigins ?? []);
  const notAllowed = (form.extraOrigins ?? []).filter((extra) => !allowed.has(extra));
  if (notAllowed.length) differences.push(`"also sign for" origin ${notAllowed.join(', ')}`);
  if (!differences.length) return undefined;
  return `the stored secrets are only used for ${service}, and this form has another ${differences.join(', another ')}`;
}

export function storedSecretsAllowed(form: ServiceTarget, deployed: DeployedService | undefined): boolean {
  return storedSecretsProblem(form, deployed) === undefined;
}

/** A token pair the dialog obtained itself (Get token, Sign in), and the service it was obtained for. */
export interface ObtainedToken {
  token: string;
  tokenSecret: string;
  service: DeployedService;
}

const OBTAINED = new WeakMap<NodeAPI, Map<string, ObtainedToken>>();

/** The pairs this runtime's dialogs obtained, by config node id: the token routes add, every admin route reads. */
export function obtainedTokens(RED: NodeAPI): Map<string, ObtainedToken> {
  let pairs = OBTAINED.get(RED);
  if (!pairs) OBTAINED.set(RED, (pairs = new Map<string, ObtainedToken>()));
  return pairs;
}

/** What the form's stored values stand for: the deployed node's credentials and variables. */
export interface StoredValues {
  deployed: DeployedService | undefined;
  /** The deployed node's credentials (Node-RED has resolved their `${NAME}` values). */
  credentials: OAuth1ConfigCredentials;
  /**
   * What the deployed node's own `field` holds, when that field is written `reference`
   * (`${NAME}`) in the deployed flow; undefined otherwise, so no other variable is read.
   */
  ownField(field: FormField, reference: string): unknown;
  /** The pair this node's dialog obtained, if any: deployed or not, it is the user's own input. */
  obtained?: ObtainedToken;
}

export type FormReading = { settings: ServiceOptions; usesStoredValues: boolean; refusal?: undefined } | { refusal: string };

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function isStoredValue(value: string, credential: boolean): boolean {
  return VARIABLE_REFERENCE.test(value) || (credential && value === UNCHANGED_PASSWORD);
}

/**
 * The form as the client's settings, with stored values filled in where rule 3 allows,
 * or the refusal to answer (`type the secrets in again: …`) when it does not.
 */
export function settingsFromForm(form: PostedServiceForm, stored: StoredValues): FormReading {
  const fields = {
    baseUrl: text(form.baseUrl),
    scheme: text(form.scheme),
    placement: text(form.placement),
    signatureMethod: text(form.signatureMethod),
    extraOrigins: text(form.extraOrigins),
    realm: text(form.realm),
  };
  const typed = Object.fromEntries(CREDENTIAL_NAMES.map((name) => [name, text(form.credentials?.[name])])) as Record<CredentialName, string>;
  // The dialog shows an obtained token secret as "unchanged": with its own token, that is the obtained secret.
  const obtained = stored.obtained && typed.tokenSecret === UNCHANGED_PASSWORD && typed.token === stored.obtained.token ? stored.obtained : undefined;
  if (obtained) typed.tokenSecret = obtained.tokenSecret;
  const usesStoredValues =
    Object.values(fields).some((value) => isStoredValue(value, false)) || Object.values(typed).some((value) => isStoredValue(value, true));
  if (usesStoredValues && !stored.deployed) return { refusal: typeAgain(storedSecretsProblem({}, undefined)) };

  // Only reached with a deployed node, or with nothing to resolve.
  const foreign: string[] = [];
  const resolve = (field: FormField, value: string): string => {
    if (!VARIABLE_REFERENCE.test(value)) return value;
    const own = stored.ownField(field, value);
    if (own === undefined) foreign.push(`${value} in ${field}`);
    return typeof own === 'string' ? own : own === undefined || own === null ? '' : JSON.stringify(own);
  };
  const credentials: OAuth1ConfigCredentials = {};
  for (const name of CREDENTIAL_NAMES) credentials[name] = typed[name] === UNCHANGED_PASSWORD ? (stored.credentials[name] ?? '') : resolve(name, typed[name]);
  const settings: ServiceOptions = {
    baseUrl: resolve('baseUrl', fields.baseUrl),
    ...signingSettings({
      scheme: resolve('scheme', fields.scheme),
      placement: resolve('placement', fields.placement),
      signatureMethod: resolve('signatureMethod', fields.signatureMethod),
    }),
    extraOrigins: originList(resolve('extraOrigins', fields.extraOrigins)),
    ...realmAndBodyHash({ realm: resolve('realm', fields.realm), bodyHash: form.bodyHash }),
    credentials: serviceCredentials(credentials),
  };
  if (foreign.length) {
    return { refusal: typeAgain(`${foreign.join(', ')}: a \${NAME} stands only for the deployed node's own field written the same way`) };
  }
  if (usesStoredValues) {
    const problem = storedSecretsProblem({ ...settings, tls: configNodeId(form.tls) }, stored.deployed);
    if (problem) return { refusal: typeAgain(problem) };
  }
  if (obtained && !storedSecretsAllowed({ ...settings, tls: configNodeId(form.tls) }, obtained.service)) {
    return {
      refusal: typeAgain(
        `the token the dialog obtained is only used for the service it was obtained for (${httpOrigin(obtained.service.baseUrl) ?? 'no base URL'})`,
      ),
    };
  }
  return { settings, usesStoredValues };
}

function typeAgain(problem: string | undefined): string {
  return `type the secrets in again: ${problem ?? 'stored values are not available here'}`;
}

/**
 * Rule 3's stored values of config node `id`: its credentials, and for a `${NAME}` the value
 * its own field took at deploy, only where the deployed flow writes that field `${NAME}` too.
 */
export function storedValuesOf(RED: NodeAPI, id: string, deployed: OAuth1ConfigNode | undefined): StoredValues {
  return {
    deployed,
    credentials: deployed?.credentials ?? {},
    obtained: obtainedTokens(RED).get(id),
    ownField: (field, reference) => {
      if (!deployed) return undefined;
      if (isCredentialName(field)) {
        const written = (RED.nodes.getCredentials(id) ?? {}) as OAuth1ConfigCredentials;
        return written[field] === reference ? (deployed.credentials?.[field] ?? '') : undefined;
      }
      let written: unknown;
      // The flow as deployed, before Node-RED replaced `${NAME}` values.
      RED.nodes.eachNode((node) => {
        if (node.id === id) written = Object.entries(node).find(([key]) => key === field)?.[1];
      });
      return typeof written === 'string' && written.trim() === reference ? (RED.util.getSetting(deployed, reference.slice(2, -1)) ?? '') : undefined;
    },
  };
}

function isCredentialName(field: FormField): field is CredentialName {
  return (CREDENTIAL_NAMES as readonly string[]).includes(field);
}

/** Rule 4: one audit line for each use of a node's stored secrets. */
export function auditStoredSecretsUse(RED: NodeAPI, event: string, id: string, origin: string | undefined, req?: Request): void {
  // Node-RED takes any fields (and sets the level itself); its type declarations know only a few.
  const entry = { level: RED.log.AUDIT, event, id: printable(id), origin };
  RED.log.audit(entry, req);
}

/**
 * A warning of an admin route. The node id comes from the URL (`%0A` decodes to a line
 * break) and the text from a form or a service: escaped, neither can forge a log line.
 */
export function warnFromAdminRoute(RED: NodeAPI, id: string, text: string): void {
  RED.log.warn(printable(`oauth1-config ${id}: ${text}`));
}
