/** Starts test/verifier/oauthlib_provider.py: a 3-legged OAuth 1.0a provider built on oauthlib's endpoints. */
import { startPythonServer, type Verifier } from './oauthlib-verifier';

export const PROVIDER_CONSUMER = { consumerKey: 'provider-consumer-key', consumerSecret: 'provider consumer secret & more' };

export type Provider = Verifier;

export function startProvider(): Promise<Provider> {
  return startPythonServer('oauthlib_provider.py', 'the oauthlib provider', {
    PROVIDER_CONSUMER_KEY: PROVIDER_CONSUMER.consumerKey,
    PROVIDER_CONSUMER_SECRET: PROVIDER_CONSUMER.consumerSecret,
  });
}
