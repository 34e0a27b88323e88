import { Logger } from '@aws-lambda-powertools/logger';
import type { ThumbnailTilesInput, ThumbnailTilesResult } from '../lib/video/contracts';
import { thumbnailTiles } from '../lib/video/thumbnails';
import { runStep, type LambdaContextLike } from '../lib/video/step-runtime';

const logger = new Logger({ serviceName: 'video-pipeline' });

/** SWF Lambda task `video-thumbnail-tiles`: the sprite tiles of one chunk. */
export const handler = async (event: ThumbnailTilesInput, context?: LambdaContextLike): Promise<ThumbnailTilesResult> =>
  runStep('thumbnailTiles', context, (stores, ctx) => thumbnailTiles(event, stores, ctx), { logger });
