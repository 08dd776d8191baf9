/** `oauth1-request`: any signed HTTP request, with the msg contract of the core http request node. */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import type { ResponseType } from '../../lib/client';
import type { OAuth1ConfigNode } from '../shared/config';
import { flowError } from '../shared/flow-error';
import { InFlight, RequestStatus, requestFailureText } from '../shared/request-status';

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
}

const RESPONSE_TYPES: Record<string, ResponseType> = { txt: 'text', bin: 'buffer', obj: 'json' };

export = function register(RED: NodeAPI): void {
  function OAuth1Request(this: Node, config: OAuth1RequestDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const server = RED.nodes.getNode(config.server) as OAuth1ConfigNode | null;
    const status = new RequestStatus(node);
    const inFlight = new InFlight(node, status);
    const responseType = RESPONSE_TYPES[config.ret ?? 'txt'] ?? 'text';
    const configuredUrl = (config.url ?? '').trim();

    if (!server) status.problem('no service');
    else if (server.problem) {
      status.problem(server.problem);
      node.warn(server.problem);
    }

    node.on('input', async (message, send, done) => {
      const msg = message as RequestMessage;
      if (!server) {
        done(flowError('no OAuth1 service: select one in the node'));
        return;
      }
      let url = configuredUrl;
      if (!url) {
        if (msg.url !== undefined && typeof msg.url !== 'string') {
          status.problem('invalid msg.url');
          done(flowError(`msg.url must be a string, not ${typeof msg.url}`));
          return;
        }
        url = (msg.url ?? '').trim();
      } else if (typeof msg.url === 'string' && msg.url && msg.url !== configuredUrl) {
        node.warn('msg.url is ignored: the node has a URL of its own');
      }
      const methodFromMsg = config.method === 'use' || !config.method;
      if (methodFromMsg && msg.method !== undefined && msg.method !== null && typeof msg.method !== 'string') {
        // Sending a GET instead of the request a flow meant would be worse than stopping.
        status.problem('invalid msg.method');
        done(flowError(`msg.method must be a string such as "GET", not ${typeof msg.method}`));
        return;
      }
      const method = methodFromMsg ? (typeof msg.method === 'string' && msg.method ? msg.method : 'GET') : (config.method as string);
      let timeoutMs: number | undefined;
      if (msg.requestTimeout !== undefined) {
        const value = Number(msg.requestTimeout);
        if (Number.isFinite(value) && value > 0) timeoutMs = value;
        else node.warn('msg.requestTimeout must be a positive number of milliseconds; using the default');
      }
      if (msg.headers !== undefined && (typeof msg.headers !== 'object' || msg.headers === null || Array.isArray(msg.headers))) {
        status.problem('invalid msg.headers');
        done(flowError('msg.headers must be an object of header names and values'));
        return;
      }

      const controller = inFlight.begin();
      status.started();
      try {
        const response = await server.client().request({
          method,
          url,
          headers: msg.headers as Record<string, unknown> | undefined,
          body: msg.payload,
          responseType,
          timeoutMs,
          signal: controller.signal,
        });
        if (response.jsonError) node.warn(`JSON parse error: ${response.jsonError}; msg.payload is the text`);
        msg.payload = response.body;
        msg.statusCode = response.statusCode;
        msg.headers = response.headers;
        msg.responseUrl = response.url;
        status.succeeded(String(response.statusCode));
        send(msg);
        done();
      } catch (error) {
        if (controller.signal.aborted) {
          status.ended();
          done();
          return;
        }
        status.failed(requestFailureText(error));
        done(flowError(error, `${method.toUpperCase()} ${url || server.baseUrl}: `));
      } finally {
        inFlight.end(controller);
      }
    });
  }

  RED.nodes.registerType('oauth1-request', OAuth1Request);
};
