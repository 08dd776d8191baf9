/** `oauth1-get-me`: the signed-in user of an Extra Horizon backend. */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { ExtraHorizonError, getMe, TOKEN_MISSING } from '../../lib/extrahorizon';
import type { OAuth1ConfigNode } from '../shared/config';
import { flowError } from '../shared/flow-error';
import { InFlight, RequestStatus, requestFailureText } from '../shared/request-status';

interface GetMeDef extends NodeDef {
  server: string;
}

interface GetMeMessage extends NodeMessageInFlow {
  statusCode?: number;
  requestTimeout?: unknown;
}

export = function register(RED: NodeAPI): void {
  function OAuth1GetMe(this: Node, config: GetMeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const server = RED.nodes.getNode(config.server) as OAuth1ConfigNode | null;
    const status = new RequestStatus(node);
    const inFlight = new InFlight(node, status);

    // What stops every request is known at deploy: say it now, not at the first message.
    const problem = !server ? 'no Extra Horizon service: select one in the node' : server.problem ?? (server.scheme === 'oauth1' && !server.hasToken ? TOKEN_MISSING : undefined);
    if (problem) {
      status.problem(problem.startsWith('token missing') ? 'token missing' : problem);
      node.warn(problem);
    }

    node.on('input', async (message, send, done) => {
      const msg = message as GetMeMessage;
      if (problem || !server) {
        done(flowError(problem));
        return;
      }
      const timeoutMs = Number(msg.requestTimeout) > 0 ? Number(msg.requestTimeout) : undefined;
      const controller = inFlight.begin();
      status.started();
      try {
        const { user, statusCode } = await getMe(server.client(), { signal: controller.signal, timeoutMs });
        msg.payload = user;
        msg.statusCode = statusCode;
        status.succeeded(describeUser(user));
        send(msg);
        done();
      } catch (error) {
        if (controller.signal.aborted) {
          status.ended();
          done();
          return;
        }
        if (error instanceof ExtraHorizonError) {
          msg.statusCode = error.statusCode;
          msg.payload = error.body;
          status.failed(String(error.statusCode));
        } else {
          status.failed(requestFailureText(error));
        }
        done(flowError(error));
      } finally {
        inFlight.end(controller);
      }
    });
  }

  RED.nodes.registerType('oauth1-get-me', OAuth1GetMe);
};

/** The status text: who signed in, without more personal data than the editor needs. */
function describeUser(user: unknown): string {
  if (user && typeof user === 'object') {
    const { first_name: first, email } = user as { first_name?: unknown; email?: unknown };
    if (typeof first === 'string' && first) return first;
    if (typeof email === 'string' && email) return email;
  }
  return 'ok';
}
