import { Logger } from '@aws-lambda-powertools/logger';
import type { PackageInput, TranscodeResult } from '../lib/video/contracts';
import { packageRendition } from '../lib/video/package';
import { runStep, type LambdaContextLike } from '../lib/video/step-runtime';

const logger = new Logger({ serviceName: 'video-pipeline' });

/** SWF Lambda task `video-package`: a rendition's chunks and audio joined into its MP4 and HLS. */
export const handler = async (event: PackageInput, context?: LambdaContextLike): Promise<TranscodeResult> =>
  runStep('packageRendition', context, (stores, ctx) => packageRendition(event, stores, ctx), { logger });
