#!/usr/bin/env tsx
/**
 * The decider process: the Fargate container's main, also runnable next to swf-local.
 *   SWF_ENDPOINT=http://127.0.0.1:8080 npx tsx bin/decider.ts
 *
 * Environment (see lib/worker/config.ts): SWF_ENDPOINT (unset: Amazon SWF), AWS_REGION,
 * SWF_DOMAIN, DECISION_TASK_LIST, SWF_IDENTITY, DECIDER_CONCURRENCY; POWERTOOLS_LOG_LEVEL for logs.
 * CHUNK_SECONDS and CHUNK_CONCURRENCY override the chunking defaults (lib/video/definition.ts CHUNKING).
 * SIGTERM/SIGINT: stop polling, finish the decision tasks in hand, exit 0.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DEFAULT_CHUNKING, checkChunking, decideVideo, type ChunkingConfig } from '../lib/video/workflow';
import { DecisionPoller, createSwfClient, readWorkerConfig, type DecideFunction, type WorkerConfig } from '../lib/worker';

const logger = new Logger({ serviceName: 'decider' });

/** The decider's chunking: the defaults, or CHUNK_SECONDS / CHUNK_CONCURRENCY. */
function chunkingFromEnv(env: NodeJS.ProcessEnv): ChunkingConfig {
  return checkChunking({
    seconds: env.CHUNK_SECONDS ? Number(env.CHUNK_SECONDS) : DEFAULT_CHUNKING.seconds,
    concurrency: env.CHUNK_CONCURRENCY ? Number(env.CHUNK_CONCURRENCY) : DEFAULT_CHUNKING.concurrency,
  });
}

function main(): void {
  let config: WorkerConfig;
  try {
    config = readWorkerConfig(process.env);
  } catch (error) {
    logger.error('invalid configuration', error as Error);
    process.exit(2);
  }
  let chunking: ChunkingConfig;
  try {
    chunking = chunkingFromEnv(process.env);
  } catch (error) {
    logger.error('invalid chunking configuration', error as Error);
    process.exit(2);
  }
  /** The video deciders (pure: history in, decisions out) behind the poller's interface. */
  const decide: DecideFunction = (task) => decideVideo(task.history, { previousStartedEventId: task.previousStartedEventId, chunking });
  const swf = createSwfClient(config, process.env);
  const poller = new DecisionPoller({
    swf,
    domain: config.domain,
    taskList: config.decisionTaskList,
    identity: config.identity,
    concurrency: config.concurrency,
    decide,
    logger,
  });
  logger.info('decider starting', {
    endpoint: config.endpoint ?? 'Amazon SWF',
    region: config.region,
    domain: config.domain,
    taskList: config.decisionTaskList,
    identity: config.identity,
    concurrency: config.concurrency,
    chunking,
  });
  poller.start();

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal while stopping; exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('stopping: finishing the decision tasks in hand', { signal });
    poller.stop().then(
      () => {
        swf.destroy();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('stop failed', error as Error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

try {
  main();
} catch (error) {
  logger.error('decider failed to start', error as Error);
  process.exit(1);
}
