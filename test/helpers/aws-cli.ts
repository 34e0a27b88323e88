import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface CliResult {
  /** Exit code; 0 on success. */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, or undefined when empty. */
  json: any;
}

/** The `aws` executable on PATH, or undefined. */
export function findAwsCli(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'aws');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Runs `aws swf ...` against an endpoint with dummy credentials and empty config files, so
 * nothing from the developer's own AWS setup leaks into the test. execFile is asynchronous on
 * purpose: the engine runs in this process and must keep serving while the CLI waits.
 */
export class AwsCli {
  private readonly dir: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly executable: string,
    private readonly endpoint: string,
    private readonly region = 'us-east-1',
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'swf-local-cli-'));
    const config = join(this.dir, 'config');
    const credentials = join(this.dir, 'credentials');
    writeFileSync(config, '');
    writeFileSync(credentials, '');
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith('AWS_') && !k.startsWith('BOTO')) env[k] = v;
    }
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      AWS_PAGER: '',
    });
    this.env = env;
  }

  /** `aws swf <args> --endpoint-url … --region … --output json --cli-read-timeout 70`. */
  swf(...args: string[]): Promise<CliResult> {
    const argv = [
      'swf',
      ...args,
      '--endpoint-url',
      this.endpoint,
      '--region',
      this.region,
      '--output',
      'json',
      '--cli-read-timeout',
      '70',
    ];
    return new Promise((resolve) => {
      execFile(this.executable, argv, { env: this.env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        let json: any;
        if (stdout.trim() !== '') {
          try {
            json = JSON.parse(stdout);
          } catch {
            json = undefined;
          }
        }
        resolve({ code, stdout, stderr, json });
      });
    });
  }

  /** Like `swf`, but fails with the CLI's stderr when it exits non-zero. */
  async ok(...args: string[]): Promise<any> {
    const r = await this.swf(...args);
    if (r.code !== 0) {
      throw new Error(`aws swf ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    }
    return r.json;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
