/**
 * The run workflow dialog's admin endpoints: the workflows the service's key may run, and
 * their questions, asked with the credentials of the deployed config node (the editor
 * never holds them), so they go only to that node's own service. The rules of
 * ../shared/admin-routes.ts apply: same-origin only (GET routes have no body), an audit
 * line for each use of the stored secrets, answers without secrets, and a failure answered
 * `{ok: false, message}` as every admin route of this package answers one.
 */
import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';
import { alteryxApiFor, type AlteryxApi } from '../../lib/alteryx';
import { isServiceError } from '../../lib/errors';
import { ADMIN_REQUEST_RULES, auditStoredSecretsUse } from '../shared/admin-routes';
import { getConfigNode } from '../shared/config';
import { httpOrigin } from '../shared/service-settings';

const ADMIN_TIMEOUT_MS = 20_000;

type ServiceAction = (alteryx: AlteryxApi, signal: AbortSignal) => Promise<unknown>;

export function registerRunWorkflowAdmin(RED: NodeAPI): void {
  const canRead = RED.auth.needsPermission('oauth1-run-workflow.read');
  RED.httpAdmin.get('/oauth1-run-workflow/:server/workflows', canRead, ...ADMIN_REQUEST_RULES, (req, res) => {
    void withService(RED, req, res, 'oauth1-run-workflow.workflows', (alteryx, signal) => alteryx.listWorkflows(signal));
  });
  RED.httpAdmin.get('/oauth1-run-workflow/:server/workflows/:workflowId/questions', canRead, ...ADMIN_REQUEST_RULES, (req, res) => {
    void withService(RED, req, res, 'oauth1-run-workflow.questions', (alteryx, signal) => alteryx.questions(String(req.params.workflowId), signal));
  });
}

async function withService(RED: NodeAPI, req: Request, res: Response, event: string, action: ServiceAction): Promise<void> {
  const serverId = String(req.params.server);
  const server = getConfigNode(RED, serverId);
  if (!server) {
    res.status(404).json({ ok: false, message: 'deploy the OAuth1 service first: the list is fetched with its saved credentials' });
    return;
  }
  if (server.problem) {
    res.status(400).json({ ok: false, message: server.problem });
    return;
  }
  auditStoredSecretsUse(RED, event, serverId, httpOrigin(server.baseUrl), req);
  try {
    res.status(200).json(await action(alteryxApiFor(server.client(), { scheme: server.scheme }), AbortSignal.timeout(ADMIN_TIMEOUT_MS)));
  } catch (error) {
    const statusCode = isServiceError(error) ? error.statusCode : undefined;
    const message = error instanceof Error ? error.message : String(error);
    // A service may echo the request in its error body: with PLAINTEXT, the secrets themselves.
    res.status(502).json({ ok: false, message: server.redact(message), statusCode });
  }
}
