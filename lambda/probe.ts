import { Logger } from '@aws-lambda-powertools/logger';
import type { ProbeInput, ProbeResult } from '../lib/video/contracts';
import { probe } from '../lib/video/probe';
import { runStep, type LambdaContextLike } from '../lib/video/step-runtime';

const logger = new Logger({ serviceName: 'video-pipeline' });

/** SWF Lambda task `video-probe`: describes the upload (ffprobe). */
export const handler = async (event: ProbeInput, context?: LambdaContextLike): Promise<ProbeResult> =>
  runStep('probe', context, (stores, ctx) => probe(event, stores, ctx), { logger });
