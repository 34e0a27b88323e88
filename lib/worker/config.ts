import { hostname } from 'node:os';
import { SWF, type SWFClientConfig } from '@aws-sdk/client-swf';
import { DOMAIN, TASK_LISTS } from '../video/definition';

/** What the worker processes read from their environment. */
export interface WorkerConfig {
  /** SWF_ENDPOINT: an SWF-compatible endpoint such as swf-local; unset means Amazon SWF itself. */
  endpoint: string | undefined;
  /** AWS_REGION (default us-east-1). */
  region: string;
  /** SWF_DOMAIN (default: the video workflow's domain). */
  domain: string;
  /** DECISION_TASK_LIST (default: the video workflow's decision task list). */
  decisionTaskList: string;
  /** SWF_IDENTITY (default `<hostname>:<pid>`), recorded in the Started events. */
  identity: string;
  /** DECIDER_CONCURRENCY: parallel decision polls (default 1). */
  concurrency: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const nonEmpty = (value: string | undefined): string | undefined => (value !== undefined && value.trim() !== '' ? value.trim() : undefined);

/** Reads and checks the configuration; throws ConfigError naming the variable at fault. */
export function readWorkerConfig(env: Env = process.env): WorkerConfig {
  const endpoint = nonEmpty(env['SWF_ENDPOINT']);
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new ConfigError(`SWF_ENDPOINT must be a URL such as http://127.0.0.1:8080, got ${JSON.stringify(endpoint)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`SWF_ENDPOINT must be http(s), got ${JSON.stringify(endpoint)}`);
  }
  const identity = nonEmpty(env['SWF_IDENTITY']) ?? `${hostname()}:${process.pid}`;
  if (identity.length > 256) throw new ConfigError('SWF_IDENTITY must be at most 256 characters');
  const concurrencyText = nonEmpty(env['DECIDER_CONCURRENCY']) ?? '1';
  const concurrency = Number(concurrencyText);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 50) {
    throw new ConfigError(`DECIDER_CONCURRENCY must be an integer 1-50, got ${JSON.stringify(concurrencyText)}`);
  }
  return {
    endpoint,
    region: nonEmpty(env['AWS_REGION']) ?? nonEmpty(env['AWS_DEFAULT_REGION']) ?? 'us-east-1',
    domain: nonEmpty(env['SWF_DOMAIN']) ?? DOMAIN,
    decisionTaskList: nonEmpty(env['DECISION_TASK_LIST']) ?? TASK_LISTS.decisions,
    identity,
    concurrency,
  };
}

/** Environment variables through which the SDK's default provider chain can find credentials. */
const CREDENTIAL_SOURCES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

/** Credentials for a local endpoint when the environment has none (swf-local accepts any by default). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'swf-local' } as const;

/**
 * Idle-socket limit for SWF calls. Long polls hold up to 60 s without a byte on the wire, so this
 * must be above that; it turns a silently dead connection into an error the poller backs off on.
 */
export const SOCKET_TIMEOUT_MS = 70_000;

/**
 * An SWF client for `config`: Amazon SWF in `region`, or `endpoint` when set. With an endpoint and
 * no credentials in the environment, dummy credentials are used so that swf-local works out of the
 * box; on AWS the SDK's default chain (task role, profile, ...) applies.
 */
export function createSwfClient(config: Pick<WorkerConfig, 'endpoint' | 'region'>, env: Env = process.env, extra: SWFClientConfig = {}): SWF {
  const hasEnvCredentials = CREDENTIAL_SOURCES.some((name) => nonEmpty(env[name]) !== undefined);
  return new SWF({
    region: config.region,
    requestHandler: { socketTimeout: SOCKET_TIMEOUT_MS },
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    ...(config.endpoint !== undefined && !hasEnvCredentials ? { credentials: LOCAL_CREDENTIALS } : {}),
    ...extra,
  });
}
