import { Logger } from '@aws-lambda-powertools/logger';
import type { TranscodeInput, TranscodeResult } from '../lib/video/contracts';
import { runStep, type LambdaContextLike } from '../lib/video/step-runtime';
import { transcode } from '../lib/video/transcode';

const logger = new Logger({ serviceName: 'video-pipeline' });

/** SWF Lambda task `video-transcode`: one rendition to MP4 and HLS. TRANSCODE_PRESET overrides the x264 preset. */
export const handler = async (event: TranscodeInput, context?: LambdaContextLike): Promise<TranscodeResult> =>
  runStep(
    'transcode',
    context,
    (stores, ctx) => transcode(event, stores, { ...ctx, ...(process.env.TRANSCODE_PRESET ? { preset: process.env.TRANSCODE_PRESET } : {}) }),
    { logger },
  );
