/** Signing in to a Node-RED with adminAuth, as the editor does. */
import assert from 'node:assert/strict';

/** `POST /auth/token` with the editor's client id; the access token of `username` for `scope`. */
export async function adminToken(url: string, username: string, scope: string, password: string): Promise<string> {
  const response = await fetch(`${url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope, username, password }),
  });
  assert.equal(response.status, 200, `sign in as ${username}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
