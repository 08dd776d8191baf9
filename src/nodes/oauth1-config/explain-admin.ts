/**
 * The service dialog's Explain panel: `POST /oauth1-config/:id/explain` signs a typed
 * request with the dialog's settings and answers what would be sent (src/lib/explain.ts).
 * Nothing goes to the service. The rules of ../shared/admin-routes.ts hold as for every
 * route: permission, same-origin JSON only, stored secrets only for the deployed node's
 * own service, with an audit line. With stored values the answer shows neither a signature nor
 * the token (src/lib/explain.ts ExplainOptions).
 */
import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';
import { explainSignature, type ExplainInput } from '../../lib/explain';
import { credentialsRedactor } from '../../lib/redact';
import { ADMIN_REQUEST_RULES, auditStoredSecretsUse, settingsFromForm, storedValuesOf } from '../shared/admin-routes';
import { getConfigNode } from '../shared/config';
import { httpOrigin } from '../shared/service-settings';
import type { PostedServiceForm } from './oauth1-config.properties';

/** The dialog form and the request typed in the panel. */
type ExplainBody = PostedServiceForm & { explain?: ExplainInput };

export function registerExplainRoute(RED: NodeAPI): void {
  RED.httpAdmin.post('/oauth1-config/:id/explain', RED.auth.needsPermission('oauth1-config.write'), ...ADMIN_REQUEST_RULES, (req, res) => {
    answerExplain(RED, req, res);
  });
}

function answerExplain(RED: NodeAPI, req: Request, res: Response): void {
  const id = String(req.params.id);
  const body: ExplainBody = typeof req.body === 'object' && req.body !== null ? (req.body as ExplainBody) : {};
  const deployed = getConfigNode(RED, id);
  const reading = settingsFromForm(body, storedValuesOf(RED, id, deployed));
  if (reading.refusal !== undefined) {
    res.json({ ok: false, message: reading.refusal });
    return;
  }
  if (reading.usesStoredValues) auditStoredSecretsUse(RED, 'oauth1-config.explain', id, httpOrigin(reading.settings.baseUrl ?? ''), req);
  const explain = typeof body.explain === 'object' && body.explain !== null ? body.explain : {};
  // Stored secrets may be used here by whoever may test a connection, not read: no signature, no token in the answer.
  const explanation = explainSignature(reading.settings, explain, { storedSecrets: reading.usesStoredValues });
  // An error text may quote what was typed; the signing record and the header hold no secret by construction.
  res.json(explanation.ok ? explanation : { ok: false, message: credentialsRedactor(reading.settings.credentials)(explanation.message) });
}
