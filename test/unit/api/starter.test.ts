import { Readable } from 'node:stream';
import {
  ApiError,
  InvalidStartError,
  UploadEventError,
  decodeS3EventKey,
  handleUploadedObjects,
  receiveUpload,
  startVideoWorkflow,
  readUploadRejection,
  uploadRequestKey,
  videoIdOfSourceKey,
} from '../../../lib/api';
import { keys } from '../../../lib/video/contracts';
import { DOMAIN } from '../../../lib/video/definition';
import { FakeSwf } from './fake-swf';
import { MemoryBlobStore } from './memory-store';

const ROLE = 'arn:aws:iam::123456789012:role/swf-lambda';

describe('startVideoWorkflow', () => {
  it('starts ProcessVideo with the video id as workflowId, the definition settings and the input', async () => {
    const swf = new FakeSwf();
    const result = await startVideoWorkflow({ swf, domain: DOMAIN, lambdaRole: ROLE }, { videoId: 'v1', sourceKey: 'v1/source', fileName: 'a\u0007.mp4' });
    expect(result).toEqual({ videoId: 'v1', runId: 'run-1', started: true, status: 'RUNNING' });
    expect(swf.callsOf('startWorkflowExecution')).toEqual([
      {
        domain: DOMAIN,
        workflowId: 'v1',
        workflowType: { name: 'ProcessVideo', version: '2' },
        taskList: { name: 'video-deciders' },
        input: JSON.stringify({ videoId: 'v1', sourceKey: 'v1/source', fileName: 'a.mp4' }),
        executionStartToCloseTimeout: '3600',
        taskStartToCloseTimeout: '60',
        childPolicy: 'TERMINATE',
        tagList: ['video'],
        lambdaRole: ROLE,
      },
    ]);
  });

  it('leaves lambdaRole out when none is configured, and passes a runner through', async () => {
    const swf = new FakeSwf();
    await startVideoWorkflow({ swf, domain: DOMAIN }, { videoId: 'v1', sourceKey: 'v1/source', runner: 'activity' });
    const call = swf.callsOf('startWorkflowExecution')[0]!;
    expect(call).not.toHaveProperty('lambdaRole');
    expect(JSON.parse(call.input as string)).toEqual({ videoId: 'v1', sourceKey: 'v1/source', runner: 'activity' });
  });

  it('an open run of the id: already started, nothing new', async () => {
    const swf = new FakeSwf();
    swf.addRun({ workflowId: 'v1' });
    expect(await startVideoWorkflow({ swf, domain: DOMAIN }, { videoId: 'v1', sourceKey: 'v1/source' })).toEqual({ videoId: 'v1', runId: 'run-1', started: false, status: 'RUNNING' });
    expect(swf.callsOf('startWorkflowExecution')).toHaveLength(0);
  });

  it('a closed run of the id: already started (a re-delivered event never starts a second run)', async () => {
    const swf = new FakeSwf();
    swf.addRun({ workflowId: 'v1', closeStatus: 'COMPLETED', closedAt: Date.now() });
    expect(await startVideoWorkflow({ swf, domain: DOMAIN }, { videoId: 'v1', sourceKey: 'v1/source' })).toEqual({ videoId: 'v1', runId: 'run-1', started: false, status: 'COMPLETED' });
    expect(swf.callsOf('startWorkflowExecution')).toHaveLength(0);
    expect(swf.callsOf('listClosedWorkflowExecutions')[0]).toMatchObject({ domain: DOMAIN, executionFilter: { workflowId: 'v1' } });
  });

  it('WorkflowExecutionAlreadyStartedFault (a concurrent start won) counts as started', async () => {
    const swf = new FakeSwf();
    // The listing sees nothing; by the time of the start another caller has started the run.
    const original = swf.startWorkflowExecution.bind(swf);
    swf.startWorkflowExecution = async (input) => {
      await original(input);
      return original(input);
    };
    expect(await startVideoWorkflow({ swf, domain: DOMAIN }, { videoId: 'v1', sourceKey: 'v1/source' })).toEqual({ videoId: 'v1', started: false, status: 'RUNNING' });
    expect(swf.runs).toHaveLength(1);
  });

  it('other SWF errors propagate', async () => {
    const swf = new FakeSwf();
    swf.failNext('startWorkflowExecution', Object.assign(new Error('type deprecated'), { name: 'TypeDeprecatedFault' }));
    await expect(startVideoWorkflow({ swf, domain: DOMAIN }, { videoId: 'v1', sourceKey: 'v1/source' })).rejects.toThrow('type deprecated');
  });

  it('refuses an invalid id or a source key that is not <id>/source', async () => {
    const swf = new FakeSwf();
    await expect(startVideoWorkflow({ swf, domain: DOMAIN }, { videoId: 'a:b', sourceKey: 'a:b/source' })).rejects.toBeInstanceOf(InvalidStartError);
    await expect(startVideoWorkflow({ swf, domain: DOMAIN }, { videoId: 'v1', sourceKey: 'v2/source' })).rejects.toBeInstanceOf(InvalidStartError);
    expect(swf.calls).toHaveLength(0);
  });
});

describe('receiveUpload (the local upload route)', () => {
  const setup = (maxUploadBytes = 100) => {
    const swf = new FakeSwf();
    const uploads = new MemoryBlobStore('uploads');
    return { swf, uploads, deps: { swf, domain: DOMAIN, uploads, maxUploadBytes } };
  };
  const body = (...chunks: (string | Buffer)[]) => Readable.from(chunks.map((c) => Buffer.from(c)));
  const status = async (p: Promise<unknown>) => {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    return [(error as ApiError).statusCode, (error as ApiError).code];
  };

  it('stores the body under <id>/source and starts the workflow with the recorded file name', async () => {
    const { swf, uploads, deps } = setup();
    await uploads.putBuffer(uploadRequestKey('v1'), JSON.stringify({ videoId: 'v1', fileName: 'trip.mov', contentType: 'video/quicktime', createdAt: 'x' }));
    const result = await receiveUpload(deps, { videoId: 'v1', contentType: 'video/quicktime', contentLength: '10', body: body('hello', 'world') });
    expect(result).toEqual({ videoId: 'v1', key: 'v1/source', sizeBytes: 10, workflow: { videoId: 'v1', runId: 'run-1', started: true, status: 'RUNNING' } });
    expect(uploads.objects.get('v1/source')).toEqual({ body: Buffer.from('helloworld'), contentType: 'video/quicktime' });
    expect(JSON.parse(swf.callsOf('startWorkflowExecution')[0]!.input as string)).toEqual({ videoId: 'v1', sourceKey: 'v1/source', fileName: 'trip.mov' });
    // The same upload again: stored again, started once.
    const again = await receiveUpload(deps, { videoId: 'v1', contentType: 'video/quicktime', contentLength: undefined, body: body('helloworld') });
    expect(again.workflow.started).toBe(false);
    expect(swf.runs).toHaveLength(1);
  });

  it('415 for a content type that is not a video; parameters and case do not matter', async () => {
    const { deps, swf } = setup();
    expect(await status(receiveUpload(deps, { videoId: 'v1', contentType: 'text/plain', contentLength: '3', body: body('abc') }))).toEqual([415, 'UnsupportedMediaType']);
    expect(await status(receiveUpload(deps, { videoId: 'v1', contentType: undefined, contentLength: '3', body: body('abc') }))).toEqual([415, 'UnsupportedMediaType']);
    await expect(receiveUpload(deps, { videoId: 'v1', contentType: 'Video/MP4; foo=bar', contentLength: '3', body: body('abc') })).resolves.toMatchObject({ sizeBytes: 3 });
    expect(swf.runs).toHaveLength(1);
  });

  it('400 for an empty upload, declared or streamed; nothing is kept or started', async () => {
    const { deps, swf, uploads } = setup();
    expect(await status(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: '0', body: body() }))).toEqual([400, 'EmptyUpload']);
    expect(await status(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: undefined, body: body() }))).toEqual([400, 'EmptyUpload']);
    expect(uploads.objects.size).toBe(0);
    expect(swf.callsOf('startWorkflowExecution')).toHaveLength(0);
  });

  it('413 past maxUploadBytes, declared or streamed', async () => {
    const { deps, swf, uploads } = setup(10);
    expect(await status(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: '11', body: body('x'.repeat(11)) }))).toEqual([413, 'PayloadTooLarge']);
    expect(await status(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: undefined, body: body('x'.repeat(6), 'y'.repeat(6)) }))).toEqual([413, 'PayloadTooLarge']);
    await expect(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: '10', body: body('x'.repeat(10)) })).resolves.toMatchObject({ sizeBytes: 10 });
    expect(swf.runs).toHaveLength(1);
    expect(uploads.objects.has('v1/source')).toBe(true);
  });

  it('exactly the size POST /videos declared, as S3 checks the signed content-length: 400 for another length, 413 for more bytes streamed', async () => {
    const { deps, swf, uploads } = setup();
    await uploads.putBuffer(uploadRequestKey('v1'), JSON.stringify({ videoId: 'v1', contentType: 'video/mp4', sizeBytes: 5, createdAt: 'x' }));
    expect(await status(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: '6', body: body('abcdef') }))).toEqual([400, 'UploadSizeMismatch']);
    expect(await status(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: undefined, body: body('abc', 'def') }))).toEqual([413, 'PayloadTooLarge']);
    // Fewer bytes than declared, streamed without a content-length: refused too, nothing kept.
    expect(await status(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: undefined, body: body('abc') }))).toEqual([400, 'UploadSizeMismatch']);
    expect(uploads.objects.has('v1/source')).toBe(false);
    expect(swf.runs).toHaveLength(0);
    await expect(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: '5', body: body('abcde') })).resolves.toMatchObject({ sizeBytes: 5 });
    expect(swf.runs).toHaveLength(1);
  });

  it('502 when the workflow cannot be started; the bytes are kept and the same PUT retries', async () => {
    const { deps, swf, uploads } = setup();
    swf.failNext('startWorkflowExecution', Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }));
    expect(await status(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: '3', body: body('abc') }))).toEqual([502, 'WorkflowStartFailed']);
    expect(uploads.objects.has('v1/source')).toBe(true);
    await expect(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: '3', body: body('abc') })).resolves.toMatchObject({ workflow: { started: true } });
  });

  it('400 for a malformed content-length, 404 for an invalid id', async () => {
    const { deps } = setup();
    expect(await status(receiveUpload(deps, { videoId: 'v1', contentType: 'video/mp4', contentLength: '1e3', body: body('x') }))).toEqual([400, 'BadRequest']);
    expect(await status(receiveUpload(deps, { videoId: '..', contentType: 'video/mp4', contentLength: '1', body: body('x') }))).toEqual([404, 'NotFound']);
  });
});

describe('handleUploadedObjects (the S3 upload event)', () => {
  const setup = () => {
    const swf = new FakeSwf();
    const uploads = new MemoryBlobStore('uploads');
    const lines: string[] = [];
    const log = (message: string) => lines.push(message);
    return { swf, uploads, lines, deps: { swf, domain: DOMAIN, uploads, lambdaRole: ROLE, logger: { debug: log, info: log, warn: log, error: log } } };
  };

  it('starts a workflow per <id>/source and ignores other keys with a log line', async () => {
    const { swf, uploads, deps, lines } = setup();
    await uploads.putBuffer(uploadRequestKey('v2'), JSON.stringify({ videoId: 'v2', fileName: 'b.mp4', contentType: 'video/mp4', createdAt: 'x' }));
    const outcomes = await handleUploadedObjects(deps, [
      { bucket: 'up', key: 'v1/source', sizeBytes: 5 },
      { bucket: 'up', key: 'v2/upload.json', sizeBytes: 5 },
      { bucket: 'up', key: 'v2/source', sizeBytes: 5 },
      { bucket: 'up', key: 'loose-file.mp4', sizeBytes: 5 },
    ]);
    expect(outcomes).toEqual([
      { key: 'v1/source', outcome: 'started', videoId: 'v1', runId: 'run-1' },
      { key: 'v2/upload.json', outcome: 'ignored', reason: 'not a <videoId>/source key' },
      { key: 'v2/source', outcome: 'started', videoId: 'v2', runId: 'run-2' },
      { key: 'loose-file.mp4', outcome: 'ignored', reason: 'not a <videoId>/source key' },
    ]);
    expect(swf.callsOf('startWorkflowExecution').map((c) => [c.workflowId, c.lambdaRole, JSON.parse(c.input as string).fileName])).toEqual([
      ['v1', ROLE, undefined],
      ['v2', ROLE, 'b.mp4'],
    ]);
    expect(lines.filter((l) => l.startsWith('Ignoring'))).toHaveLength(2);
  });

  it('a re-delivered event starts nothing twice, even after the run closed', async () => {
    const { swf, deps } = setup();
    await handleUploadedObjects(deps, [{ key: 'v1/source', sizeBytes: 5 }]);
    expect(await handleUploadedObjects(deps, [{ key: 'v1/source', sizeBytes: 5 }])).toEqual([{ key: 'v1/source', outcome: 'alreadyStarted', videoId: 'v1', runId: 'run-1' }]);
    swf.runs[0]!.closeStatus = 'COMPLETED';
    expect(await handleUploadedObjects(deps, [{ key: 'v1/source', sizeBytes: 5 }])).toEqual([{ key: 'v1/source', outcome: 'alreadyStarted', videoId: 'v1', runId: 'run-1' }]);
    expect(swf.callsOf('startWorkflowExecution')).toHaveLength(1);
  });

  it('rejects empty and oversized uploads, starts nothing for them, and records why for GET /videos/{id}', async () => {
    const { swf, deps, uploads } = setup();
    const now = () => Date.parse('2030-01-01T00:00:00Z');
    const outcomes = await handleUploadedObjects({ ...deps, maxUploadBytes: 10, now }, [
      { key: 'v1/source', sizeBytes: 0 },
      { key: 'v2/source', sizeBytes: 11 },
      { key: 'v3/source', sizeBytes: 10 },
    ]);
    expect(outcomes).toEqual([
      { key: 'v1/source', outcome: 'rejected', videoId: 'v1', reason: 'EmptyUpload' },
      { key: 'v2/source', outcome: 'rejected', videoId: 'v2', reason: 'UploadTooLarge' },
      { key: 'v3/source', outcome: 'started', videoId: 'v3', runId: 'run-1' },
    ]);
    expect(swf.callsOf('startWorkflowExecution').map((c) => c.workflowId)).toEqual(['v3']);
    expect(await readUploadRejection(uploads, 'v2')).toEqual({
      videoId: 'v2',
      reason: 'UploadTooLarge',
      message: 'The upload is 11 bytes, over the limit of 10 bytes; nothing was started',
      sizeBytes: 11,
      rejectedAt: '2030-01-01T00:00:00.000Z',
    });
    expect(await readUploadRejection(uploads, 'v3')).toBeUndefined();
  });

  it('a rejection that cannot be recorded fails the invocation (retried, then the DLQ), not silently', async () => {
    const { deps, uploads } = setup();
    uploads.putBuffer = async () => {
      throw new Error('AccessDenied');
    };
    const error = await handleUploadedObjects({ ...deps, maxUploadBytes: 10 }, [{ key: 'v1/source', sizeBytes: 11 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadEventError);
    expect((error as UploadEventError).outcomes).toEqual([{ key: 'v1/source', outcome: 'failed', videoId: 'v1', error: 'AccessDenied' }]);
  });

  it('tries every record, then throws when a start failed (so Lambda retries the event)', async () => {
    const { swf, deps } = setup();
    swf.failNext('listOpenWorkflowExecutions', new Error('network down'));
    const error = await handleUploadedObjects(deps, [
      { key: 'v1/source', sizeBytes: 5 },
      { key: 'v2/source', sizeBytes: 5 },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadEventError);
    expect((error as UploadEventError).outcomes).toEqual([
      { key: 'v1/source', outcome: 'failed', videoId: 'v1', error: 'network down' },
      { key: 'v2/source', outcome: 'started', videoId: 'v2', runId: 'run-1' },
    ]);
  });

  it('S3 event keys: + is a space, the rest is URL-encoded; only <id>/source names a video', () => {
    expect(decodeS3EventKey('v1/my+file%281%29.mp4')).toBe('v1/my file(1).mp4');
    expect(decodeS3EventKey('bad%E0%A4%A')).toBe('bad%E0%A4%A');
    expect(videoIdOfSourceKey(keys.source('v1'))).toBe('v1');
    expect(videoIdOfSourceKey('v1/source/x')).toBeUndefined();
    expect(videoIdOfSourceKey('a/b/source')).toBeUndefined();
    expect(videoIdOfSourceKey('a:b/source')).toBeUndefined();
  });
});
