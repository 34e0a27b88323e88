/**
 * The playback key custom resource's onEvent handler (custom-resources Provider framework): copies
 * the signing key from Secrets Manager into the CloudFront KeyValueStore. Wiring only: the logic is
 * lib/storage/playback-key.ts.
 */
// The KeyValueStore API is signed with SigV4a; this registers the SDK's JavaScript implementation.
import '@aws-sdk/signature-v4a';
import { CloudFrontKeyValueStore } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { SecretsManager } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handlePlaybackKeyEvent } from '../lib/storage/playback-key';

const secrets = new SecretsManager({});
const kvs = new CloudFrontKeyValueStore({});

export async function handler(event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string }> {
  return handlePlaybackKeyEvent(event, secrets, kvs);
}
