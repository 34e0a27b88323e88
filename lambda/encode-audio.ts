import { Logger } from '@aws-lambda-powertools/logger';
import type { EncodeAudioInput, EncodeAudioResult } from '../lib/video/contracts';
import { encodeAudio } from '../lib/video/chunk-encode';
import { runStep, type LambdaContextLike } from '../lib/video/step-runtime';

const logger = new Logger({ serviceName: 'video-pipeline' });

/** SWF Lambda task `video-encode-audio`: the whole audio of one rendition. */
export const handler = async (event: EncodeAudioInput, context?: LambdaContextLike): Promise<EncodeAudioResult> =>
  runStep('encodeAudio', context, (stores, ctx) => encodeAudio(event, stores, ctx), { logger });
