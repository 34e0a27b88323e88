import { Logger } from '@aws-lambda-powertools/logger';
import type { ThumbnailsInput, ThumbnailsResult } from '../lib/video/contracts';
import { runStep, type LambdaContextLike } from '../lib/video/step-runtime';
import { thumbnails } from '../lib/video/thumbnails';

const logger = new Logger({ serviceName: 'video-pipeline' });

/** SWF Lambda task `video-thumbnails`: poster, sprite sheet and WebVTT track. */
export const handler = async (event: ThumbnailsInput, context?: LambdaContextLike): Promise<ThumbnailsResult> =>
  runStep('thumbnails', context, (stores, ctx) => thumbnails(event, stores, ctx), { logger });
