/** `oauth1-request`: any signed HTTP request, with the msg contract of the core http request node. */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { ClientResponse, ResponseType } from '../../lib/client';
import { isRequestError, RequestError } from '../../lib/request-error';
import { joinUrl } from '../../lib/urls';
import { responseCookies } from '../../lib/cookies';
import { withLikelyCause, type SigningDiagnosis } from '../../lib/diagnosis';
import { markedHeaders } from '../../lib/header-marker';
import type { RateLimitReport } from '../../lib/rate-limit-headers';
import { getProxyForUrl, proxyNodeEnv, type ProxyOptions, type ProxySettings } from '../../lib/proxy';
import { redactValue } from '../../lib/redact';
import { isSuccess } from '../../lib/response';
import { isTemplate } from '../../lib/url-template';
import { NodeShell, type Done, type InFlight } from '../shared/node-shell';
import { proxyOptionsFrom } from '../shared/service-settings';
import { MessageRefused, requestOf, type MessageReader } from './message-request';
import { requestPropertiesOf, type RequestNodeProperties, type RequestProperties } from './oauth1-request.properties';

type OAuth1RequestDef = NodeDef & Partial<RequestNodeProperties> & { server: string };

interface RequestMessage extends NodeMessageInFlow {
  requestTimeout?: unknown;
  statusCode?: number | string;
  headers?: unknown;
  responseUrl?: string;
  redirectList?: Array<{ location: string; cookies?: unknown }>;
  responseCookies?: unknown;
  retry?: number;
  signing?: SigningDiagnosis;
  rateLimit?: RateLimitReport;
}

/** The core `http proxy` config node as the runtime holds it. */
interface HttpProxyNode extends Node<{ username?: string; password?: string }> {
  url?: string;
  noproxy?: string[];
}

const RESPONSE_TYPES: Record<string, ResponseType> = { txt: 'text', bin: 'buffer', obj: 'json' };
/**
 * Failures that also go out as a message, as the core node sends them: no answer, or none
 * that could be read. A request refused before sending (origin, PLAINTEXT, bad input) only reaches Catch.
 */
const FAILURES_AS_MESSAGES = new Set(['ENETWORK', 'ETIMEDOUT', 'ETOOLARGE', 'ETOOMANYREDIRECTS', 'EPROXY']);

function proxySettingsOf(RED: NodeAPI, id: string | undefined): ProxySettings | undefined {
  if (!id) return undefined;
  const proxy = RED.nodes.getNode(id) as HttpProxyNode | null;
  if (!proxy?.url) return undefined;
  return { url: proxy.url, noProxy: proxy.noproxy ?? [], username: proxy.credentials?.username, password: proxy.credentials?.password };
}

/**
 * The proxy of each request, chosen as the core node chooses it: once, at deploy, for the
 * node's own URL, and for every message whose URL is another. '' connects directly.
 */
function proxyChooser(
  RED: NodeAPI,
  config: OAuth1RequestDef,
  baseUrl: string | undefined,
  nodeUrl: string,
): (url: string, proxy: ProxySettings | undefined) => string {
  const options = (proxy: ProxySettings | undefined): ProxyOptions => {
    const chosen = proxyOptionsFrom(RED);
    // A proxy node replaces the environment; one that is missing stands for no proxy at all.
    if (config.proxy) chosen.env = proxyNodeEnv(proxy ?? { url: '' });
    return chosen;
  };
  const absolute = (url: string): string | undefined => {
    try {
      return joinUrl(baseUrl, url);
    } catch {
      return undefined;
    }
  };
  const fixedUrl = nodeUrl && !isTemplate(nodeUrl) ? absolute(nodeUrl) : undefined;
  const fixed = fixedUrl === undefined ? undefined : getProxyForUrl(fixedUrl, options(proxySettingsOf(RED, config.proxy)));
  return (url, proxy) => {
    if (fixed !== undefined && url === nodeUrl) return fixed;
    const full = absolute(url);
    return full === undefined ? '' : getProxyForUrl(full, options(proxy));
  };
}

/** The response on the message, as the core node puts it there. */
function putResponse(msg: RequestMessage, response: ClientResponse, redact: (text: string) => string): void {
  msg.payload = response.body;
  msg.statusCode = response.statusCode;
  msg.headers = markedHeaders({ ...response.headers });
  msg.responseUrl = response.url;
  // A login redirect may carry the request in `?next=`: no secret of the service in it.
  // Cookie values are redacted once decoded: an encoding the raw header hid would decode to the secret.
  msg.redirectList = (response.redirects ?? []).map((hop) => {
    const location = redact(hop.location);
    return hop.setCookie ? { location, cookies: redactValue(responseCookies(hop.setCookie), redact) } : { location };
  });
  msg.retry = 0;
  const cookies = redactValue(responseCookies(response.headers['set-cookie']), redact);
  if (cookies) msg.responseCookies = cookies;
  // A refused signature: what was signed and the likely cause; a stale one from an earlier request goes.
  if (response.signing) msg.signing = response.signing;
  else delete msg.signing;
  // The service's own figures of its rate limit, when this answer carried them; none from an earlier request stays.
  if (response.rateLimit) msg.rateLimit = response.rateLimit;
  else delete msg.rateLimit;
}

/** What a failure's text starts with: `GET users/v1/me: `. */
function failurePrefix(request: { method: string; url: string }): string {
  return `${request.method.toUpperCase()} ${request.url}: `;
}

/** How the node reports a request that got no answer. */
interface FailureReport {
  /** The core node's "only send non-2xx responses to Catch". */
  sendErrorsToCatch: boolean;
  /** The core node's text for a timeout at Catch, from its own catalog ("no response from server"). */
  noResponse: string;
}

/** A request that got no answer: Catch, and (unless "only to Catch") a message with the error, as the core node. */
function failed(
  shell: NodeShell,
  report: FailureReport,
  delivery: { request: InFlight<RequestMessage>; send: (msg: RequestMessage) => void },
  error: unknown,
  sent: { method: string; url: string },
): void {
  const { request, send } = delivery;
  const { msg } = request;
  if (!request.signal.aborted && !report.sendErrorsToCatch && isRequestError(error) && FAILURES_AS_MESSAGES.has(error.code)) {
    // The core node's form: "RequestError: <reason> : <url>".
    msg.payload = shell.clean(`${error.name}: ${error.message} : ${sent.url}`);
    msg.statusCode = error.systemCode ?? error.code;
    send(msg);
  }
  // A timeout reaches Catch as in the core node, in its words; the message above says how long and where.
  if (isRequestError(error) && error.code === 'ETIMEDOUT') {
    request.fail(new RequestError(report.noResponse, error.code), { asCoreNode: true });
    return;
  }
  request.fail(error, { prefix: failurePrefix(sent) });
}

/** Reads a message into a client request; undefined when it was refused (Catch told). */
function messageReader(
  RED: NodeAPI,
  node: Node,
  shell: NodeShell,
  properties: RequestProperties,
): (msg: RequestMessage, done: Done) => ReturnType<typeof requestOf> | undefined {
  let laxTlsWarned = false;
  const reader: MessageReader = {
    evaluate: (path, msg): unknown => RED.util.evaluateNodeProperty(path, 'msg', node, msg as NodeMessage) as unknown,
    warn: (key) => shell.warn(shell.text(key)),
  };

  function read(msg: RequestMessage, done: Done): ReturnType<typeof requestOf> | undefined {
    try {
      const request = requestOf(properties, msg, reader);
      if (request.rejectUnauthorized === false && !laxTlsWarned) {
        laxTlsWarned = true;
        shell.warn(shell.text('warnings.rejectUnauthorizedOff'));
      }
      return request;
    } catch (error) {
      if (!(error instanceof MessageRefused)) throw error;
      shell.refuse(done, shell.text(error.key, error.substitutions), shell.text(error.statusKey));
      return undefined;
    }
  }
  return read;
}

export = function register(RED: NodeAPI): void {
  function OAuth1Request(this: Node, config: OAuth1RequestDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    // A msg.requestTimeout that is not one is warned of in the core node's own words.
    const timeoutWarnings = { notANumber: RED._('node-red:httpin.errors.timeout-isnan'), notPositive: RED._('node-red:httpin.errors.timeout-isnegative') };
    const shell = new NodeShell(RED, node, config.server, { type: 'oauth1-request', timeoutWarnings });
    shell.onClose();
    const responseType = RESPONSE_TYPES[config.ret ?? 'txt'] ?? 'text';
    const properties = requestPropertiesOf(config, Boolean(shell.server?.tls));
    if (config.proxy && !proxySettingsOf(RED, config.proxy)) shell.warn(shell.text('warnings.proxyMissing'));
    const sendErrorsToCatch = config.senderr === true;
    const report: FailureReport = { sendErrorsToCatch, noResponse: RED._('node-red:common.notification.errors.no-response') };
    const read = messageReader(RED, node, shell, properties);
    const proxyOf = proxyChooser(RED, config, shell.server?.baseUrl, properties.url);

    shell.onInput(async (message, send, done) => {
      const msg = message as RequestMessage;
      const sent = read(msg, done);
      if (!sent) return;
      const client = shell.client(done);
      if (!client) return;
      const timeoutMs = shell.requestTimeout(msg.requestTimeout);
      const request = shell.begin({ msg, send, done }, shell.shared('status.requesting'));
      try {
        // Read per message: the proxy node's credentials may change without a redeploy of this node.
        const proxy = proxySettingsOf(RED, config.proxy);
        const response = await client.request({ ...sent, proxy, proxyUrl: proxyOf(sent.url, proxy), responseType, timeoutMs, signal: request.signal });
        if (response.jsonError) shell.warn(shell.text('warnings.notJson', { reason: response.jsonError }));
        putResponse(msg, response, shell.redact);
        if (sendErrorsToCatch && !isSuccess(response)) {
          request.fail(new Error(withLikelyCause(`HTTP ${response.statusCode}`, response.signing)), { prefix: failurePrefix(sent) });
          return;
        }
        request.succeed(String(response.statusCode));
      } catch (error) {
        failed(shell, report, { request, send }, error, sent);
      }
    });
  }

  RED.nodes.registerType('oauth1-request', OAuth1Request);
};
