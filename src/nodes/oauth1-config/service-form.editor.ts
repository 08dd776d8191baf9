/** The config dialog's fields, and the dialog as the admin routes read it (ServiceForm of oauth1-config.properties.ts). */
import type { EditorNodeInstance } from 'node-red';
import { CREDENTIAL_NAMES } from '../../lib/constants';
import { configNodeId } from '../shared/node.properties';
import { fieldText } from '../shared/palette.editor';
import type { ServiceForm } from './oauth1-config.properties';

/** A config dialog field by its property name. */
export function input(name: string): JQuery {
  return $(`#node-config-input-${name}`);
}

/**
 * The dialog as it is, saved or not: a password left unchanged is `__PWRD__`, which the
 * runtime resolves. The token pair only `withToken` and with OAuth 1.0a: the token routes
 * obtain a new pair, and the unchanged secret of an old one would only get the form refused.
 */
export function serviceForm(withToken: boolean): ServiceForm {
  const text = (name: string): string => fieldText(input(name));
  const credentials: ServiceForm['credentials'] = {};
  for (const name of CREDENTIAL_NAMES) credentials[name] = text(name);
  if (!withToken || text('scheme') === 'oauth2') {
    delete credentials.token;
    delete credentials.tokenSecret;
  }
  return {
    preset: text('preset'),
    probePath: text('probePath'),
    baseUrl: text('baseUrl'),
    scheme: text('scheme'),
    placement: text('placement'),
    signatureMethod: text('signatureMethod'),
    realm: text('realm'),
    bodyHash: input('bodyHash').is(':checked'),
    // "Also sign for": with unchanged passwords, only origins the deployed node has.
    extraOrigins: text('extraOrigins'),
    requestTokenUrl: text('requestTokenUrl'),
    authorizeUrl: text('authorizeUrl'),
    accessTokenUrl: text('accessTokenUrl'),
    tls: configNodeId(text('tls')),
    credentials,
  };
}

export function postJson(node: EditorNodeInstance, route: string, body: object): JQuery.jqXHR {
  return $.ajax({
    url: `oauth1-config/${encodeURIComponent(node.id)}/${route}`,
    type: 'POST',
    contentType: 'application/json',
    data: JSON.stringify(body),
  });
}

/** The message of a failed admin request: the route's own, else the HTTP status. */
export function failureMessage(xhr: JQuery.jqXHR | { message?: string; statusText?: string; status?: number }): string {
  const json: unknown = 'responseJSON' in xhr ? xhr.responseJSON : undefined;
  const fromJson = typeof json === 'object' && json !== null && 'message' in json && typeof json.message === 'string' ? json.message : undefined;
  const own = 'message' in xhr && typeof xhr.message === 'string' ? xhr.message : undefined;
  return fromJson || own || xhr.statusText || String(xhr.status);
}
