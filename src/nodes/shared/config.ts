/** What request nodes know of the `oauth1-config` node: its type lives here so no node imports another. */
import type { Node } from 'node-red';
import type { HttpClient } from '../../lib/client';
import type { AuthScheme } from '../../lib/service';
import type { Placement, SignatureMethod } from '../../lib/oauth1';

export interface OAuth1ConfigCredentials {
  consumerKey?: string;
  consumerSecret?: string;
  token?: string;
  tokenSecret?: string;
}

export interface OAuth1ConfigNode extends Node<OAuth1ConfigCredentials> {
  baseUrl: string;
  scheme: AuthScheme;
  placement: Placement;
  signatureMethod: SignatureMethod;
  /** Why nothing can be sent (credentials missing), or undefined. */
  readonly problem: string | undefined;
  /** True when an access token is configured (3-legged). */
  readonly hasToken: boolean;
  /** The shared client; throws with {@link problem} when the node is not usable. */
  client(): HttpClient;
}
