/**
 * The config dialog's admin endpoint: `POST /oauth1-config/:id/test` ("Test connection").
 * It follows the rules of ../shared/admin-routes.ts: same-origin JSON only, and the
 * stored secrets only for the deployed node's own service, with an audit line.
 */
import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';
import type { OAuth1Credentials } from '../../lib/oauth1';
import { ADMIN_REQUEST_RULES, auditStoredSecretsUse, settingsFromForm, storedValuesOf, warnFromAdminRoute } from '../shared/admin-routes';
import { getConfigNode } from '../shared/config';
import { configNodeId } from '../shared/node.properties';
import { credentialsRedactor } from '../../lib/redact';
import { httpOrigin, proxyOptionsFrom, tlsOptionsOf } from '../shared/service-settings';
import { probeOf, testConnection } from './connection-test';
import type { PostedServiceForm } from './oauth1-config.properties';
import { registerExplainRoute } from './explain-admin';

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function registerConfigAdmin(RED: NodeAPI): void {
  /**
   * Tests the form as it is, saved or not. A password left unchanged (`__PWRD__`) and
   * `${ENV}` values stand for the deployed node's values, for its own service only. The
   * answer is one line for people, never a secret.
   */
  RED.httpAdmin.post('/oauth1-config/:id/test', RED.auth.needsPermission('oauth1-config.write'), ...ADMIN_REQUEST_RULES, (req, res) => {
    void answerConnectionTest(RED, req, res);
  });
  registerExplainRoute(RED);
}

async function answerConnectionTest(RED: NodeAPI, req: Request, res: Response): Promise<void> {
  const id = String(req.params.id);
  let credentials: Partial<OAuth1Credentials> = {};
  try {
    const raw: unknown = req.body;
    // What "Test connection" posts: the form as it is, saved or not.
    const body = typeof raw === 'object' && raw !== null ? (raw as PostedServiceForm) : {};
    const deployed = getConfigNode(RED, id);
    const reading = settingsFromForm(body, storedValuesOf(RED, id, deployed));
    if (reading.refusal !== undefined) {
      res.json({ ok: false, message: reading.refusal });
      return;
    }
    credentials = reading.settings.credentials;
    if (reading.usesStoredValues) auditStoredSecretsUse(RED, 'oauth1-config.test', id, httpOrigin(reading.settings.baseUrl ?? ''), req);
    const tlsId = configNodeId(body.tls) || undefined;
    const probe = probeOf(text(body.preset), text(body.probePath));
    // The deployed service's own queue: a test waits its turn like every node of that service.
    const sameService = deployed !== undefined && httpOrigin(deployed.baseUrl) === httpOrigin(reading.settings.baseUrl ?? '');
    const limits = sameService ? deployed.limits : undefined;
    const result = await testConnection({ ...reading.settings, tls: tlsOptionsOf(RED, tlsId), proxyOptions: proxyOptionsFrom(RED), limits }, probe);
    if (tlsId && !RED.nodes.getNode(tlsId)) result.message += ' (the TLS configuration is not deployed yet: tested with the default TLS settings)';
    res.json(result);
  } catch (error) {
    const reason = credentialsRedactor(credentials)(error instanceof Error ? error.message : String(error));
    warnFromAdminRoute(RED, id, `Test connection could not run: ${reason}`);
    res.status(500).json({ ok: false, message: `the test could not run: ${reason}` });
  }
}
