/** `oauth1-get-me`: the signed-in user of an Extra Horizon backend. */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { getMe, TOKEN_MISSING } from '../../lib/extrahorizon';
import { NodeShell } from '../shared/node-shell';
import type { GetMeNodeProperties } from './oauth1-get-me.properties';

type GetMeDef = NodeDef & Pick<GetMeNodeProperties, 'server'>;

interface GetMeMessage extends NodeMessageInFlow {
  statusCode?: number;
  requestTimeout?: unknown;
}

export = function register(RED: NodeAPI): void {
  function OAuth1GetMe(this: Node, config: GetMeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    // What stops every request is known at deploy: the shell says it now, not at the first message.
    const shell = new NodeShell(RED, node, config.server, {
      type: 'oauth1-get-me',
      noServiceKey: 'errors.noService',
      problemOf: (server) => (server.scheme === 'oauth1' && !server.hasToken ? { text: TOKEN_MISSING, statusKey: 'status.tokenMissing' } : undefined),
    });
    shell.onClose();

    shell.onInput(async (message, send, done) => {
      const msg = message as GetMeMessage;
      if (shell.problem) return shell.refuse(done, shell.problem);
      const client = shell.client(done);
      if (!client) return;
      const timeoutMs = shell.requestTimeout(msg.requestTimeout);
      const request = shell.begin({ msg, send, done }, shell.shared('status.requesting'));
      try {
        const { user, statusCode, rateLimit } = await getMe(client, { signal: request.signal, timeoutMs });
        msg.payload = user;
        msg.statusCode = statusCode;
        if (rateLimit) msg.rateLimit = rateLimit;
        request.succeed(describeUser(user) ?? shell.text('status.ok'));
      } catch (error) {
        // An Extra Horizon error puts its status code and body (the client redacted it) on the message.
        request.fail(error);
      }
    });
  }

  RED.nodes.registerType('oauth1-get-me', OAuth1GetMe);
};

/** The status text: who signed in, without more personal data than the editor needs. */
function describeUser(user: unknown): string | undefined {
  if (user && typeof user === 'object') {
    const { first_name: first, email } = user as { first_name?: unknown; email?: unknown };
    if (typeof first === 'string' && first) return first;
    if (typeof email === 'string' && email) return email;
  }
  return undefined;
}
