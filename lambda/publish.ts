import { Logger } from '@aws-lambda-powertools/logger';
import type { PublishInput, PublishResult } from '../lib/video/contracts';
import { publish } from '../lib/video/publish';
import { runStep, type LambdaContextLike } from '../lib/video/step-runtime';

const logger = new Logger({ serviceName: 'video-pipeline' });

/** SWF Lambda task `video-publish`: HLS master playlist and manifest.json. */
export const handler = async (event: PublishInput, context?: LambdaContextLike): Promise<PublishResult> =>
  runStep('publish', context, (stores, ctx) => publish(event, stores, ctx), { logger });
