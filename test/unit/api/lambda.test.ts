import type { APIGatewayProxyEvent, S3Event, S3EventRecord } from 'aws-lambda';
import { makeHandler as makeApiHandler, toApiRequest, toProxyResult, depsFromEnv as apiDepsFromEnv } from '../../../lambda/api';
import { makeHandler as makeUploadHandler, uploadedObjects } from '../../../lambda/upload-event';
import { silentApiLogger } from '../../../lib/api';
import { LocalBlobStore, S3BlobStore, SignedPlaybackUrls } from '../../../lib/storage';
import { DOMAIN } from '../../../lib/video/definition';
import { FakeSwf } from './fake-swf';
import { MemoryBlobStore } from './memory-store';

function proxyEvent(overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    path: '/videos',
    resource: '/{proxy+}',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { domainName: 'abc.execute-api.eu-west-1.amazonaws.com', stage: 'prod', path: '/prod/videos' } as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}

describe('lambda/api.ts', () => {
  it('maps a proxy event to an ApiRequest: lower-case headers, decoded body, public base URL with the stage', () => {
    const req = toApiRequest(
      proxyEvent({
        httpMethod: 'POST',
        headers: { 'Content-Type': 'application/json' },
        queryStringParameters: { limit: '5' },
        body: Buffer.from('{"fileName":"a.mp4"}').toString('base64'),
        isBase64Encoded: true,
      }),
    );
    expect(req).toEqual({
      method: 'POST',
      path: '/videos',
      query: { limit: '5' },
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"fileName":"a.mp4"}'),
      baseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
    });
    // A custom domain with a base path mapping keeps the base path.
    const custom = toApiRequest(proxyEvent({ path: '/videos/v1', requestContext: { domainName: 'video.example.com', stage: 'prod', path: '/api/videos/v1' } as APIGatewayProxyEvent['requestContext'] }));
    expect(custom.baseUrl).toBe('https://video.example.com/api');
    expect(toApiRequest(proxyEvent({ body: 'plain' })).body).toEqual(Buffer.from('plain'));
  });

  it('maps an ApiResponse to a proxy result (Buffer bodies base64)', () => {
    expect(toProxyResult({ statusCode: 201, headers: { a: 'b' }, body: '{}' })).toEqual({ statusCode: 201, headers: { a: 'b' }, body: '{}', isBase64Encoded: false });
    expect(toProxyResult({ statusCode: 200, headers: {}, body: Buffer.from([1, 2, 3]) })).toEqual({ statusCode: 200, headers: {}, body: 'AQID', isBase64Encoded: true });
  });

  it('serves the API through the handler, building its dependencies once', async () => {
    const swf = new FakeSwf();
    let built = 0;
    const handler = makeApiHandler(() => {
      built++;
      return { swf, domain: DOMAIN, uploads: new MemoryBlobStore('uploads'), media: new MemoryBlobStore('media'), newVideoId: () => 'vlambda' };
    });
    const created = await handler(proxyEvent({ httpMethod: 'POST', path: '/videos', body: '{"contentType":"video/mp4","sizeBytes":100}' }));
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ videoId: 'vlambda', statusUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/videos/vlambda' });
    const missing = await handler(proxyEvent({ path: '/videos/nope' }));
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: { code: 'VideoNotFound' } });
    expect(built).toBe(1);
  });

  it('production dependencies from the environment', () => {
    const s3 = apiDepsFromEnv({ UPLOAD_BUCKET: 'up', MEDIA_BUCKET: 'media', LAMBDA_ROLE_ARN: 'arn:aws:iam::1:role/r', AWS_REGION: 'eu-west-1' });
    expect(s3.uploads).toBeInstanceOf(S3BlobStore);
    expect(s3.media).toBeInstanceOf(S3BlobStore);
    expect(s3.domain).toBe(DOMAIN);
    expect(s3.lambdaRole).toBe('arn:aws:iam::1:role/r');
    const local = apiDepsFromEnv({ SWF_DOMAIN: 'other', AWS_REGION: 'eu-west-1', MEDIA_DIR: '/tmp/x' });
    expect(local.uploads).toBeInstanceOf(LocalBlobStore);
    expect(local.domain).toBe('other');
    expect(local).not.toHaveProperty('lambdaRole');
    expect(local).not.toHaveProperty('downloads');
  });

  it('download links through CloudFront when the stack names the distribution and the key\'s secret (both or neither)', () => {
    const base = { UPLOAD_BUCKET: 'up', MEDIA_BUCKET: 'media', AWS_REGION: 'eu-west-1' };
    const deps = apiDepsFromEnv({ ...base, PLAYBACK_BASE_URL: 'https://d1.cloudfront.net', PLAYBACK_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:k' });
    expect(deps.downloads).toBeInstanceOf(SignedPlaybackUrls);
    expect(() => apiDepsFromEnv({ ...base, PLAYBACK_BASE_URL: 'https://d1.cloudfront.net' })).toThrow('PLAYBACK_BASE_URL and PLAYBACK_KEY_SECRET_ARN must be set together');
  });
});

describe('lambda/upload-event.ts', () => {
  const record = (key: string, over: { bucket?: string; eventName?: string; size?: number } = {}): S3EventRecord =>
    ({
      eventName: over.eventName ?? 'ObjectCreated:Put',
      s3: { bucket: { name: over.bucket ?? 'uploads-bucket' }, object: { key, size: over.size ?? 10 } },
    }) as S3EventRecord;

  it('keeps ObjectCreated records of the upload bucket, keys decoded', () => {
    const event: S3Event = {
      Records: [record('v1/source'), record('v2/source', { bucket: 'other' }), record('v3/source', { eventName: 'ObjectRemoved:Delete' }), record('v4/a+b.mp4', { size: 0 })],
    };
    expect(uploadedObjects(event, 'uploads-bucket', silentApiLogger)).toEqual([
      { bucket: 'uploads-bucket', key: 'v1/source', sizeBytes: 10 },
      { bucket: 'uploads-bucket', key: 'v4/a b.mp4', sizeBytes: 0 },
    ]);
    expect(uploadedObjects(event, undefined, silentApiLogger)).toHaveLength(3);
    expect(uploadedObjects({} as S3Event, 'x')).toEqual([]);
  });

  it('starts the workflow for the upload; a re-delivered event starts nothing more', async () => {
    const swf = new FakeSwf();
    const handler = makeUploadHandler(() => ({ swf, domain: DOMAIN, uploads: new MemoryBlobStore('uploads'), logger: silentApiLogger }), 'uploads-bucket');
    const event: S3Event = { Records: [record('v1/source')] };
    expect(await handler(event)).toEqual([{ key: 'v1/source', outcome: 'started', videoId: 'v1', runId: 'run-1' }]);
    expect(await handler(event)).toEqual([{ key: 'v1/source', outcome: 'alreadyStarted', videoId: 'v1', runId: 'run-1' }]);
    expect(swf.callsOf('startWorkflowExecution')).toHaveLength(1);
  });
});
