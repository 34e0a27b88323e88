/**
 * The playback CloudFront Function (lib/infra/cloudfront/playback-auth.js), run as CloudFront runs
 * it, in a VM context: its two module imports become Node's crypto (whose createHmac and base64url
 * digest CloudFront's runtime 2.0 mirrors) and a KeyValueStore fake.
 */
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as vm from 'node:vm';
import { PLAYBACK_AUTH_FUNCTION_FILE } from '../../lib/infra/playback';
import { PLAYBACK_KEY_NAME } from '../../lib/storage/playback-url';

export interface CloudFrontRequest {
  uri: string;
  method: string;
}
export type CloudFrontResult = CloudFrontRequest | { statusCode: number; statusDescription: string };

export interface PlaybackFunctionOptions {
  /** The key the KeyValueStore holds. */
  key: string;
  /** The KeyValueStore lookup fails. */
  kvsFails?: boolean;
  /** The clock, epoch ms (default the real one). */
  now?: () => number;
}

/** The viewer-request handler: a URI path in, the request to forward or the response to send out. */
export function playbackFunction(options: PlaybackFunctionOptions): (uri: string) => Promise<CloudFrontResult> {
  const source = readFileSync(PLAYBACK_AUTH_FUNCTION_FILE, 'utf8')
    .replace("import crypto from 'crypto';", 'var crypto = __crypto;')
    .replace("import cf from 'cloudfront';", 'var cf = __cloudfront;');
  if (/^\s*(import|export)\s/m.test(source)) throw new Error('playback-auth.js imports a module this harness does not provide');
  const now = options.now ?? Date.now;
  const context = vm.createContext({
    __crypto: crypto,
    __cloudfront: {
      kvs: () => ({
        get: async (name: string) => {
          if (options.kvsFails || name !== PLAYBACK_KEY_NAME) throw new Error(`KeyValueStore: no key ${name}`);
          return options.key;
        },
      }),
    },
    Date: { now },
  });
  vm.runInContext(source, context, { filename: PLAYBACK_AUTH_FUNCTION_FILE });
  const handler = vm.runInContext('handler', context) as (event: unknown) => Promise<CloudFrontResult>;
  return (uri) =>
    handler({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '127.0.0.1' }, request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} } });
}
