/**
 * S3 ObjectCreated on the upload bucket -> start the video workflow for each `<videoId>/source`.
 * Wiring only: lib/api handleUploadedObjects does the work (idempotently, so S3's at-least-once
 * delivery never starts a video twice). A failed start fails the invocation, so Lambda retries it.
 *
 * Environment: UPLOAD_BUCKET (records from another bucket are ignored), MEDIA_BUCKET,
 * LAMBDA_ROLE_ARN, SWF_DOMAIN (default definition.ts DOMAIN), SWF_ENDPOINT (optional).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SWF } from '@aws-sdk/client-swf';
import type { S3Event } from 'aws-lambda';
import { decodeS3EventKey, handleUploadedObjects, type ApiLogger, type UploadEventDeps, type UploadOutcome, type UploadedObject } from '../lib/api';
import { storesFromEnv } from '../lib/storage';
import { DOMAIN } from '../lib/video/definition';

const logger = new Logger({ serviceName: 'video-pipeline' });

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): UploadEventDeps {
  return {
    swf: new SWF({ ...(env.SWF_ENDPOINT ? { endpoint: env.SWF_ENDPOINT } : {}) }),
    domain: env.SWF_DOMAIN || DOMAIN,
    uploads: storesFromEnv(env).uploads,
    ...(env.LAMBDA_ROLE_ARN ? { lambdaRole: env.LAMBDA_ROLE_ARN } : {}),
    logger,
  };
}

/** The ObjectCreated records of `bucket` (all buckets when undefined), keys decoded. */
export function uploadedObjects(event: S3Event, bucket: string | undefined, log: ApiLogger = logger): UploadedObject[] {
  const out: UploadedObject[] = [];
  for (const record of event.Records ?? []) {
    const name = record.s3?.bucket?.name;
    const key = decodeS3EventKey(record.s3?.object?.key ?? '');
    if (!record.eventName?.startsWith('ObjectCreated')) {
      log.info('Ignoring an S3 event that is not ObjectCreated', { eventName: record.eventName, bucket: name, key });
    } else if (bucket && name !== bucket) {
      log.info('Ignoring an object of another bucket', { bucket: name, key, uploadBucket: bucket });
    } else {
      out.push({ bucket: name, key, ...(typeof record.s3.object.size === 'number' ? { sizeBytes: record.s3.object.size } : {}) });
    }
  }
  return out;
}

export function makeHandler(deps: () => UploadEventDeps = () => depsFromEnv(), bucket = process.env.UPLOAD_BUCKET): (event: S3Event) => Promise<UploadOutcome[]> {
  let resolved: UploadEventDeps | undefined;
  return async (event) => {
    resolved ??= deps();
    return handleUploadedObjects(resolved, uploadedObjects(event, bucket || undefined, resolved.logger ?? logger));
  };
}

export const handler = makeHandler();
