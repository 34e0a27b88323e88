import type { BlobStore } from '../storage/blob-store';
import { keys, type Manifest, type PublishInput, type PublishResult, type TranscodeResult } from './contracts';
import { InvalidInputError, throwIfAborted } from './errors';
import { describeLadder } from './ladder';
import { CONTENT_TYPES, relativeUri, requireObject, requireVideoId, silentLogger, uploadBuffer, type StepContext } from './step-support';
import { verifyStoredOutputs, type ProbeStored } from './verify';

/**
 * Publishing: the HLS master playlist that ties the renditions together, and manifest.json, the
 * record of everything the pipeline made of one upload. Both are written last, so a reader who
 * finds them finds every file they name.
 */

/** `FRAME-RATE` with three decimals, as the HLS spec writes it. */
function frameRateAttr(fps: number): string {
  return fps.toFixed(3);
}

/** Renditions in master-playlist order: highest bandwidth first (ties: larger frame first). */
export function orderRenditions(renditions: readonly TranscodeResult[]): TranscodeResult[] {
  return [...renditions].sort(
    (a, b) => b.hls.bandwidth - a.hls.bandwidth || b.rendition.width * b.rendition.height - a.rendition.width * a.rendition.height || a.rendition.name.localeCompare(b.rendition.name),
  );
}

/**
 * The master playlist: one #EXT-X-STREAM-INF per rendition (BANDWIDTH, AVERAGE-BANDWIDTH,
 * RESOLUTION, CODECS, FRAME-RATE) with the rendition's playlist URI relative to the master.
 */
export function buildMasterPlaylist(videoId: string, renditions: readonly TranscodeResult[], frameRate: number): string {
  const master = keys.hlsMaster(videoId);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const r of orderRenditions(renditions)) {
    const attrs = [
      `BANDWIDTH=${Math.round(r.hls.bandwidth)}`,
      `AVERAGE-BANDWIDTH=${Math.round(r.hls.averageBandwidth)}`,
      `RESOLUTION=${r.mp4.width}x${r.mp4.height}`,
      `CODECS="${r.hls.codecs}"`,
      ...(frameRate > 0 ? [`FRAME-RATE=${frameRateAttr(frameRate)}`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, relativeUri(master, r.hls.playlist.key));
  }
  lines.push('');
  return lines.join('\n');
}

/** manifest.json's content. `createdAt` is passed in so the document is reproducible. */
export function buildManifest(input: PublishInput, createdAt: Date): Manifest {
  const { probe } = input.source;
  return {
    videoId: input.videoId,
    createdAt: createdAt.toISOString(),
    source: {
      key: input.source.key,
      ...(input.source.fileName !== undefined ? { fileName: input.source.fileName } : {}),
      durationSeconds: probe.durationSeconds,
      // Coded size, as ProbeResult names it; with `rotation` it gives the displayed size.
      width: probe.width,
      height: probe.height,
      rotation: probe.rotation,
      sizeBytes: probe.sizeBytes,
      // How the source was handled (VFR, interlaced, HDR: README "Inputs").
      ...(probe.traits ? { traits: probe.traits } : {}),
    },
    renditions: orderRenditions(input.renditions).map((r) => ({
      name: r.rendition.name,
      width: r.mp4.width,
      height: r.mp4.height,
      bitrateKbps: Math.round(r.mp4.bitRate / 1000),
      durationSeconds: r.mp4.durationSeconds,
      mp4: { key: r.mp4.key, sizeBytes: r.mp4.sizeBytes, sha256: r.mp4.sha256 },
      hls: { playlist: r.hls.playlist, segmentCount: r.hls.segmentCount },
    })),
    hls: { masterPlaylist: keys.hlsMaster(input.videoId) },
    ladder: describeLadder(probe, input.renditions.map((r) => r.rendition)),
    thumbnails: {
      poster: { key: input.thumbnails.poster.key, sizeBytes: input.thumbnails.poster.sizeBytes, sha256: input.thumbnails.poster.sha256 },
      sprite: { key: input.thumbnails.sprite.key, sizeBytes: input.thumbnails.sprite.sizeBytes, sha256: input.thumbnails.sprite.sha256 },
      vtt: input.thumbnails.vtt,
      intervalSeconds: input.thumbnails.intervalSeconds,
      count: input.thumbnails.count,
    },
    timings: input.timings ?? {},
  };
}

export function validatePublishInput(input: PublishInput): PublishInput {
  const i = requireObject(input, 'input');
  const videoId = requireVideoId(i.videoId);
  const source = requireObject(i.source, 'source');
  requireObject(source.probe, 'source.probe');
  requireObject(i.thumbnails, 'thumbnails');
  if (!Array.isArray(i.renditions) || i.renditions.length === 0) throw new InvalidInputError('renditions must be a non-empty array');
  const names = new Set<string>();
  for (const r of i.renditions as TranscodeResult[]) {
    const name = r?.rendition?.name;
    if (typeof name !== 'string' || !r.hls?.playlist?.key || !r.mp4?.key) throw new InvalidInputError('each rendition must be a TranscodeResult');
    if (names.has(name)) throw new InvalidInputError(`rendition ${name} appears twice`);
    names.add(name);
    if (!r.hls.playlist.key.startsWith(`${videoId}/`) || !r.mp4.key.startsWith(`${videoId}/`)) {
      throw new InvalidInputError(`rendition ${name}'s files are not under ${videoId}/`);
    }
  }
  return input;
}

export interface PublishContext extends Partial<StepContext> {
  /** Clock for manifest.createdAt. */
  now?: () => Date;
  /** How verification reads a stored MP4 (default: ffprobe on it where it lies). */
  probeStored?: ProbeStored;
}

/** The publish step: checks the renditions' files exist and verifies them, writes the master playlist, then the manifest. */
export async function publish(input: PublishInput, stores: { media: BlobStore }, ctx: PublishContext = {}): Promise<PublishResult> {
  validatePublishInput(input);
  const { signal } = ctx;
  const log = ctx.logger ?? silentLogger;
  const named = [
    ...input.renditions.flatMap((r) => [r.mp4.key, r.hls.playlist.key]),
    input.thumbnails.poster.key,
    input.thumbnails.sprite.key,
    input.thumbnails.vtt.key,
  ];
  const heads = await Promise.all(named.map((key) => stores.media.head(key)));
  const missing = named.filter((_, n) => heads[n] === undefined);
  if (missing.length) throw new InvalidInputError(`cannot publish: missing ${missing.join(', ')}`);
  // Nothing is published (no master playlist, no manifest) unless every rendition passes.
  await verifyStoredOutputs(input, stores.media, { ...(signal ? { signal } : {}), ...(ctx.probeStored ? { probe: ctx.probeStored } : {}) });
  throwIfAborted(signal);

  const masterText = buildMasterPlaylist(input.videoId, input.renditions, input.source.probe.frameRate);
  const masterPlaylist = await uploadBuffer(stores.media, keys.hlsMaster(input.videoId), masterText, CONTENT_TYPES.m3u8, signal);
  const manifest = buildManifest(input, (ctx.now ?? (() => new Date()))());
  const manifestInfo = await uploadBuffer(stores.media, keys.manifest(input.videoId), JSON.stringify(manifest, null, 2) + '\n', CONTENT_TYPES.json, signal);
  ctx.onProgress?.(1);
  log.info('published', { videoId: input.videoId, renditions: input.renditions.length });
  return { manifest: manifestInfo, masterPlaylist };
}
