/**
 * Credentials the demo server accepts. They are demo values, published in this repository,
 * and open nothing but the local demo server: never reuse them anywhere real.
 */
export interface DemoCredentials {
  consumerKey: string;
  consumerSecret: string;
  /** The 3-legged access token Extra Horizon requires; Alteryx ignores it but still checks its signature. */
  token: string;
  tokenSecret: string;
}

export const DEMO_CREDENTIALS: Readonly<DemoCredentials> = Object.freeze({
  consumerKey: 'demo-consumer-key',
  consumerSecret: 'demo-consumer-secret',
  token: 'demo-token',
  tokenSecret: 'demo-token-secret',
});
