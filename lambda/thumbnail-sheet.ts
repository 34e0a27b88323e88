import { Logger } from '@aws-lambda-powertools/logger';
import type { ThumbnailSheetInput, ThumbnailsResult } from '../lib/video/contracts';
import { thumbnailSheet } from '../lib/video/thumbnails';
import { runStep, type LambdaContextLike } from '../lib/video/step-runtime';

const logger = new Logger({ serviceName: 'video-pipeline' });

/** SWF Lambda task `video-thumbnail-sheet`: poster, sprite sheet and WebVTT track from the tiles. */
export const handler = async (event: ThumbnailSheetInput, context?: LambdaContextLike): Promise<ThumbnailsResult> =>
  runStep('thumbnailSheet', context, (stores, ctx) => thumbnailSheet(event, stores, ctx), { logger });
