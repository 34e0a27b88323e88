import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SWF } from '@aws-sdk/client-swf';
import { startEngine, type RunningEngine } from '../../lib/engine';

const run = promisify(execFile);
const KEY = 'AKIDSWFLOCALTEST';
const SECRET = 'the-right-secret';

function client(endpoint: string, accessKeyId: string, secretAccessKey: string, region = 'us-east-1'): SWF {
  return new SWF({ endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

async function raw(endpoint: string, headers: Record<string, string>): Promise<{ status: number; body: { __type?: string; message?: string } }> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'SimpleWorkflowService.ListDomains', ...headers },
    body: '{"registrationStatus":"REGISTERED"}',
  });
  return { status: res.status, body: (await res.json()) as { __type?: string; message?: string } };
}

describe('SigV4 authentication (--auth sigv4)', () => {
  let engine: RunningEngine;

  beforeAll(async () => {
    engine = await startEngine({ port: 0, credentials: { [KEY]: SECRET } });
  });
  afterAll(() => engine.close());

  it('accepts requests signed with a known key, in the region of the credential scope', async () => {
    const swf = client(engine.endpoint, KEY, SECRET, 'eu-west-1');
    await swf.registerDomain({ name: 'signed', workflowExecutionRetentionPeriodInDays: '1' });
    const d = await swf.describeDomain({ name: 'signed' });
    expect(d.domainInfo?.arn).toBe('arn:aws:swf:eu-west-1:123456789012:/domain/signed');
    swf.destroy();
  });

  it('rejects a wrong secret with InvalidSignatureException', async () => {
    const swf = client(engine.endpoint, KEY, 'not-the-secret');
    await expect(swf.listDomains({ registrationStatus: 'REGISTERED' })).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining('does not match the signature you provided'),
    });
    swf.destroy();
  });

  it('rejects an unknown access key with UnrecognizedClientException', async () => {
    const swf = client(engine.endpoint, 'AKIDUNKNOWN', SECRET);
    await expect(swf.listDomains({ registrationStatus: 'REGISTERED' })).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    swf.destroy();
  });

  it('rejects unsigned and malformed requests', async () => {
    const missing = await raw(engine.endpoint, {});
    expect(missing.status).toBe(403);
    expect(missing.body.__type).toBe('com.amazon.coral.service#MissingAuthenticationTokenException');
    const malformed = await raw(engine.endpoint, { authorization: 'AWS4-HMAC-SHA256 Credential=x' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.__type).toBe('com.amazon.coral.service#IncompleteSignatureException');
  });

  it('rejects a signature made more than 15 minutes ago', async () => {
    const old = new SWF({
      endpoint: engine.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: KEY, secretAccessKey: SECRET },
      maxAttempts: 1,
      systemClockOffset: -20 * 60 * 1000,
    });
    await expect(old.listDomains({ registrationStatus: 'REGISTERED' })).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining('Signature expired'),
    });
    old.destroy();
  });

  it('accepts the AWS CLI signing with the same key, and refuses it with another secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swf-auth-'));
    writeFileSync(join(dir, 'config'), '');
    const env = (secret: string) => ({
      ...process.env,
      AWS_ACCESS_KEY_ID: KEY,
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'config'),
    });
    const args = ['swf', 'list-domains', '--registration-status', 'REGISTERED', '--endpoint-url', engine.endpoint, '--region', 'eu-west-1', '--output', 'json'];
    const ok = await run('aws', args, { env: env(SECRET) });
    expect(JSON.parse(ok.stdout).domainInfos.map((d: { name: string }) => d.name)).toContain('signed');
    await expect(run('aws', args, { env: env('wrong') })).rejects.toMatchObject({
      stderr: expect.stringContaining('(InvalidSignatureException)'),
    });
  });
});
