import { Logger } from '@aws-lambda-powertools/logger';
import type { EncodeChunkInput, EncodeChunkResult } from '../lib/video/contracts';
import { encodeChunk } from '../lib/video/chunk-encode';
import { runStep, type LambdaContextLike } from '../lib/video/step-runtime';

const logger = new Logger({ serviceName: 'video-pipeline' });

/** SWF Lambda task `video-encode-chunk`: one chunk of one rendition (video only). TRANSCODE_PRESET overrides the x264 preset. */
export const handler = async (event: EncodeChunkInput, context?: LambdaContextLike): Promise<EncodeChunkResult> =>
  runStep(
    'encodeChunk',
    context,
    (stores, ctx) => encodeChunk(event, stores, { ...ctx, ...(process.env.TRANSCODE_PRESET ? { preset: process.env.TRANSCODE_PRESET } : {}) }),
    { logger },
  );
