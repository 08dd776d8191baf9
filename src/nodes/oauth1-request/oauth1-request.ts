/** `oauth1-request`: any signed HTTP request, with the msg contract of the core http request node. */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import type { ClientResponse, ResponseType } from '../../lib/client';
import type { SigningDiagnosis } from '../../lib/diagnosis';
import { NodeShell, type Done } from '../shared/node-shell';

interface OAuth1RequestDef extends NodeDef {
  server: string;
  method?: string;
  url?: string;
  ret?: string;
}

interface RequestMessage extends NodeMessageInFlow {
  url?: unknown;
  method?: unknown;
  headers?: unknown;
  requestTimeout?: unknown;
  statusCode?: number;
  responseUrl?: string;
  signing?: SigningDiagnosis;
}

const RESPONSE_TYPES: Record<string, ResponseType> = { txt: 'text', bin: 'buffer', obj: 'json' };

export = function register(RED: NodeAPI): void {
  function OAuth1Request(this: Node, config: OAuth1RequestDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const shell = new NodeShell(RED, node, config.server, { type: 'oauth1-request' });
    shell.onClose();
    const responseType = RESPONSE_TYPES[config.ret ?? 'txt'] ?? 'text';
    const configuredUrl = (config.url ?? '').trim();
    const methodFromMsg = config.method === 'use' || !config.method;

    /** The URL, method and headers of a message, or undefined when it was refused. */
    function requestOf(msg: RequestMessage, done: Done): { url: string; method: string; headers?: Record<string, unknown> } | undefined {
      let url = configuredUrl;
      if (!url) {
        if (msg.url !== undefined && typeof msg.url !== 'string')
          return void shell.refuse(done, shell.text('status.invalidUrl'), shell.text('errors.urlNotString', { type: typeof msg.url }));
        url = (msg.url ?? '').trim();
      } else if (typeof msg.url === 'string' && msg.url && msg.url !== configuredUrl) {
        shell.warn(shell.text('warnings.urlIgnored'));
      }
      if (methodFromMsg && msg.method !== undefined && msg.method !== null && typeof msg.method !== 'string') {
        // Sending a GET instead of the request a flow meant would be worse than stopping.
        return void shell.refuse(done, shell.text('status.invalidMethod'), shell.text('errors.methodNotString', { type: typeof msg.method }));
      }
      const method = methodFromMsg ? (typeof msg.method === 'string' && msg.method ? msg.method : 'GET') : (config.method as string);
      if (msg.headers !== undefined && (typeof msg.headers !== 'object' || msg.headers === null || Array.isArray(msg.headers))) {
        return void shell.refuse(done, shell.text('status.invalidHeaders'), shell.text('errors.headersNotObject'));
      }
      return { url, method, headers: msg.headers as Record<string, unknown> | undefined };
    }

    shell.onInput(async (message, send, done) => {
      const msg = message as RequestMessage;
      const request = requestOf(msg, done);
      if (!request) return;
      const client = shell.client(done);
      if (!client) return;
      const timeoutMs = shell.requestTimeout(msg.requestTimeout);
      const tracked = shell.begin();
      shell.status.started(shell.shared('status.requesting'));
      try {
        const response = await client.request({ ...request, body: msg.payload, responseType, timeoutMs, signal: tracked.signal });
        if (response.jsonError) shell.warn(shell.text('warnings.notJson', { reason: response.jsonError }));
        answer(msg, response);
        shell.status.succeeded(String(response.statusCode));
        send(msg);
        done();
      } catch (error) {
        shell.fail(done, error, `${request.method.toUpperCase()} ${request.url || shell.server?.baseUrl}: `, tracked);
      } finally {
        tracked.end();
      }
    });
  }

  RED.nodes.registerType('oauth1-request', OAuth1Request);
};

/** The response on the message, as the core http request node puts it, and `msg.signing` after a refused signature. */
function answer(msg: RequestMessage, response: ClientResponse): void {
  msg.payload = response.body;
  msg.statusCode = response.statusCode;
  msg.headers = response.headers;
  msg.responseUrl = response.url;
  // A refused signature: what was signed and the likely cause; a stale one from an earlier request goes.
  if (response.signing) msg.signing = response.signing;
  else delete msg.signing;
}
