import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../storage/blob-store';
import { keys, type ThumbnailSheetInput, type ThumbnailTilesInput, type ThumbnailTilesResult, type ThumbnailsInput, type ThumbnailsResult } from './contracts';
import { InvalidInputError, throwIfAborted } from './errors';
import { conditioningFilters } from './conditioning';
import { runFfmpeg } from './ffmpeg';
import { sourceLocation } from './source';
import { buildThumbnailsVtt, planSprite, posterSize, posterTime, spriteGrid, tilesInRange, type SpriteGrid } from './sprite';
import {
  CONTENT_TYPES,
  downloadSource,
  mapLimit,
  relativeUri,
  requireKey,
  requireNumber,
  requireObject,
  requireVideoId,
  silentLogger,
  uploadBuffer,
  uploadFile,
  type StepContext,
} from './step-support';

/**
 * Thumbnails: a poster JPEG, a sprite sheet of small tiles taken every N seconds, and a WebVTT
 * track that maps each time range to its tile (`sprite.jpg#xywh=x,y,w,h`), as players such as
 * video.js, Shaka and JW Player read for seek-bar previews.
 */

export * from './sprite';

/** One frame at `timeSeconds`, scaled to the poster size (input seek: fast). */
export function posterArgs(opts: { source: string; output: string; timeSeconds: number; width: number; height: number; conditioning?: readonly string[] }): string[] {
  return [
    '-ss', opts.timeSeconds.toFixed(3),
    '-i', opts.source,
    '-map', '0:v:0',
    '-frames:v', '1',
    '-vf', [...(opts.conditioning ?? []), `scale=${opts.width}:${opts.height}`, 'setsar=1'].join(','),
    '-q:v', '3',
    '-f', 'image2',
    opts.output,
  ];
}

/**
 * The tiles: the first frame at or after each multiple of the interval (`gte(t, N*selected_n)`
 * keeps them on the grid without drift), scaled to the tile size, one JPEG each.
 */
export function tileFramesArgs(opts: { source: string; outputPattern: string; intervalSeconds: number; tileWidth: number; tileHeight: number; maxTiles: number; conditioning?: readonly string[] }): string[] {
  return [
    '-i', opts.source,
    '-map', '0:v:0',
    '-an', '-sn', '-dn',
    // Conditioning after the select: only the chosen frames are deinterlaced or tone-mapped.
    '-vf', [`select='gte(t,${opts.intervalSeconds}*selected_n)'`, ...(opts.conditioning ?? []), `scale=${opts.tileWidth}:${opts.tileHeight}`, 'setsar=1'].join(','),
    '-vsync', 'vfr',
    '-frames:v', String(opts.maxTiles),
    '-q:v', '5',
    '-f', 'image2',
    opts.outputPattern,
  ];
}

/** The sprite sheet: tiles read back in order and laid out `columns` x `rows`. */
export function spriteArgs(opts: { inputPattern: string; output: string; columns: number; rows: number }): string[] {
  return [
    '-f', 'image2',
    '-framerate', '1',
    '-start_number', '1',
    '-i', opts.inputPattern,
    '-vf', `tile=${opts.columns}x${opts.rows}`,
    '-frames:v', '1',
    '-q:v', '4',
    '-f', 'image2',
    opts.output,
  ];
}

/** Up to this duration the tiles come from one decoding pass; longer videos seek to each tile. */
export const SINGLE_PASS_MAX_SECONDS = 120;
/** Parallel ffmpeg runs when seeking to tiles. */
const SEEK_CONCURRENCY = 4;

/** `tile_0001.jpg` for tile 0: the numbering ffmpeg's image2 muxer and demuxer use. */
export function tileFileName(i: number): string {
  return `tile_${String(i + 1).padStart(4, '0')}.jpg`;
}

/**
 * One tile by input seeking (`-ss` before `-i`: fast, and frame-accurate when decoding). The cost
 * is one GOP's decode per tile, whatever the video's length, so long or 4K videos fit the step's
 * timeout where decoding every frame would not.
 */
export function seekTileArgs(opts: { source: string; output: string; timeSeconds: number; tileWidth: number; tileHeight: number; conditioning?: readonly string[] }): string[] {
  return [
    '-ss', opts.timeSeconds.toFixed(3),
    '-i', opts.source,
    '-map', '0:v:0',
    '-frames:v', '1',
    '-vf', [...(opts.conditioning ?? []), `scale=${opts.tileWidth}:${opts.tileHeight}`, 'setsar=1'].join(','),
    '-q:v', '5',
    '-f', 'image2',
    opts.output,
  ];
}

/** How many tiles exist without a gap from the first (a seek past the last frame writes none). */
async function contiguousTiles(dir: string, max: number): Promise<number> {
  const names = new Set(await readdir(dir));
  let n = 0;
  while (n < max && names.has(tileFileName(n))) {
    if (!(await nonEmpty(join(dir, tileFileName(n))))) break;
    n++;
  }
  return n;
}

export function validateThumbnailsInput(input: ThumbnailsInput): ThumbnailsInput {
  const i = requireObject(input, 'input');
  requireVideoId(i.videoId);
  requireKey(i.sourceKey, 'sourceKey');
  requireNumber(i.durationSeconds, 'durationSeconds', { positive: true, max: 7 * 24 * 3600 });
  requireNumber(i.displayWidth, 'displayWidth', { integer: true, min: 2, max: 16384 });
  requireNumber(i.displayHeight, 'displayHeight', { integer: true, min: 2, max: 16384 });
  return input;
}

async function nonEmpty(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.size > 0,
    () => false,
  );
}

export interface ThumbnailsContext extends StepContext {
  /** How tiles are taken: one decoding pass, one seek per tile, or by duration (default). */
  tileStrategy?: 'auto' | 'single-pass' | 'seek';
}

/** The thumbnails step: poster, sprite sheet and VTT track, uploaded to their keys. */
export async function thumbnails(input: ThumbnailsInput, stores: { uploads: BlobStore; media: BlobStore }, ctx: ThumbnailsContext): Promise<ThumbnailsResult> {
  const started = Date.now();
  validateThumbnailsInput(input);
  const { durationSeconds } = input;
  const { signal } = ctx;
  const sig = signal ? { signal } : {};
  const progress = (f: number) => ctx.onProgress?.(Math.max(0, Math.min(1, f)));

  const source = join(ctx.workDir, 'source');
  await downloadSource(stores.uploads, input.sourceKey, source, signal);
  progress(0.05);
  const poster = await makePoster(source, input, ctx);
  progress(0.15);

  // Tiles, then the sheet from however many tiles the video really yielded.
  const planned = planSprite(durationSeconds, input.displayWidth, input.displayHeight);
  const tilesDir = join(ctx.workDir, 'tiles');
  await mkdir(tilesDir, { recursive: true });
  const strategy = ctx.tileStrategy && ctx.tileStrategy !== 'auto' ? ctx.tileStrategy : durationSeconds <= SINGLE_PASS_MAX_SECONDS ? 'single-pass' : 'seek';
  const tileProgress = (f: number) => progress(0.15 + 0.7 * f);
  if (strategy === 'single-pass') {
    await runFfmpeg(
      tileFramesArgs({ source, outputPattern: join(tilesDir, 'tile_%04d.jpg'), intervalSeconds: planned.intervalSeconds, tileWidth: planned.tileWidth, tileHeight: planned.tileHeight, maxTiles: planned.count, conditioning: conditioningFilters(input.traits) }),
      { ...sig, durationSeconds, onProgress: (p) => tileProgress(p.fraction ?? 0) },
    );
  } else {
    await seekTiles(source, planned, { first: 0, count: planned.count }, tilesDir, conditioningFilters(input.traits), sig, tileProgress);
  }
  const count = await contiguousTiles(tilesDir, planned.count);
  return assembleThumbnails({ input, planned, count, tilesDir, poster, started }, stores.media, { ...ctx, onProgress: (f) => progress(0.85 + 0.15 * f) });
}

/** The poster frame; a seek past the last frame (a clip shorter than its container says) falls back to 0. */
async function makePoster(source: string, input: ThumbnailsInput, ctx: StepContext): Promise<{ file: string; width: number; height: number }> {
  const sig = ctx.signal ? { signal: ctx.signal } : {};
  const file = join(ctx.workDir, 'poster.jpg');
  const dims = posterSize(input.displayWidth, input.displayHeight);
  const conditioning = conditioningFilters(input.traits);
  await runFfmpeg(posterArgs({ source, output: file, timeSeconds: posterTime(input.durationSeconds), ...dims, conditioning }), sig);
  if (!(await nonEmpty(file))) await runFfmpeg(posterArgs({ source, output: file, timeSeconds: 0, ...dims, conditioning }), sig);
  if (!(await nonEmpty(file))) throw new Error('ffmpeg produced no poster frame');
  return { file, ...dims };
}

/** Tiles `range.first`.. by one input seek each, `SEEK_CONCURRENCY` at a time, into `dir` as `tileFileName(i)`. */
async function seekTiles(source: string, planned: SpriteGrid, range: { first: number; count: number }, dir: string, conditioning: readonly string[], sig: { signal?: AbortSignal }, onProgress: (f: number) => void): Promise<void> {
  let done = 0;
  await mapLimit(Array.from({ length: range.count }, (_, k) => range.first + k), SEEK_CONCURRENCY, async (i) => {
    await runFfmpeg(seekTileArgs({ source, output: join(dir, tileFileName(i)), timeSeconds: i * planned.intervalSeconds, tileWidth: planned.tileWidth, tileHeight: planned.tileHeight, conditioning }), sig);
    onProgress(++done / range.count);
  });
}

/** The sprite sheet of the first `count` tiles in `tilesDir`, the VTT track, and the uploads with the poster. */
async function assembleThumbnails(
  made: { input: ThumbnailsInput; planned: SpriteGrid; count: number; tilesDir: string; poster: { file: string; width: number; height: number }; started: number },
  media: BlobStore,
  ctx: StepContext,
): Promise<ThumbnailsResult> {
  const { input, planned, count, tilesDir, poster } = made;
  const { videoId, durationSeconds } = input;
  const { signal } = ctx;
  if (count === 0) throw new Error('ffmpeg produced no sprite tiles');
  const grid = spriteGrid(count, planned.intervalSeconds, planned.tileWidth, planned.tileHeight);
  const sprite = join(ctx.workDir, 'sprite.jpg');
  await runFfmpeg(spriteArgs({ inputPattern: join(tilesDir, 'tile_%04d.jpg'), output: sprite, columns: grid.columns, rows: grid.rows }), signal ? { signal } : {});
  throwIfAborted(signal);
  ctx.onProgress?.(0.5);

  const vttKey = keys.vtt(videoId);
  const spriteKey = keys.sprite(videoId);
  const vttText = buildThumbnailsVtt(grid, durationSeconds, relativeUri(vttKey, spriteKey));
  const [posterInfo, spriteInfo] = await Promise.all([
    uploadFile(media, keys.poster(videoId), poster.file, CONTENT_TYPES.jpeg, signal),
    uploadFile(media, spriteKey, sprite, CONTENT_TYPES.jpeg, signal),
  ]);
  // The track last: it names the sprite.
  const vttInfo = await uploadBuffer(media, vttKey, vttText, CONTENT_TYPES.vtt, signal);
  ctx.onProgress?.(1);
  (ctx.logger ?? silentLogger).info('thumbnails', { videoId, count, intervalSeconds: grid.intervalSeconds });

  return {
    poster: { ...posterInfo, width: poster.width, height: poster.height },
    sprite: {
      ...spriteInfo,
      width: grid.width,
      height: grid.height,
      columns: grid.columns,
      rows: grid.rows,
      tileWidth: grid.tileWidth,
      tileHeight: grid.tileHeight,
    },
    vtt: vttInfo,
    intervalSeconds: grid.intervalSeconds,
    count,
    elapsedMs: Date.now() - made.started,
  };
}

// ---- the chunked path: tiles per chunk, then one sheet ----

export function validateThumbnailTilesInput(input: ThumbnailTilesInput): ThumbnailTilesInput {
  validateThumbnailsInput(input);
  const start = requireNumber(input.startSeconds, 'startSeconds', { min: 0 });
  if (input.endSeconds !== undefined && requireNumber(input.endSeconds, 'endSeconds', { positive: true }) <= start) {
    throw new InvalidInputError(`endSeconds (${String(input.endSeconds)}) must be after startSeconds (${start})`);
  }
  return input;
}

/**
 * The thumbnail-tiles step: the sprite tiles whose times fall in one chunk, each by an input seek
 * on the source (read in place: a URL on S3), uploaded to `keys.tile`. A seek past the source's
 * last frame yields no tile; the tiles made are the contiguous ones from the first.
 */
export async function thumbnailTiles(input: ThumbnailTilesInput, stores: { uploads: BlobStore; media: BlobStore }, ctx: StepContext): Promise<ThumbnailTilesResult> {
  const started = Date.now();
  validateThumbnailTilesInput(input);
  const { signal } = ctx;
  const planned = planSprite(input.durationSeconds, input.displayWidth, input.displayHeight);
  const range = tilesInRange(planned, input.startSeconds, input.endSeconds);
  if (range.count === 0) return { first: range.first, count: 0, elapsedMs: Date.now() - started };
  const source = await sourceLocation(stores.uploads, input.sourceKey, signal);
  await seekTiles(source, planned, range, ctx.workDir, conditioningFilters(input.traits), signal ? { signal } : {}, (f) => ctx.onProgress?.(0.8 * f));
  let count = 0;
  while (count < range.count && (await nonEmpty(join(ctx.workDir, tileFileName(range.first + count))))) count++;
  await mapLimit(Array.from({ length: count }, (_, k) => range.first + k), SEEK_CONCURRENCY, (i) =>
    uploadFile(stores.media, keys.tile(input.videoId, i), join(ctx.workDir, tileFileName(i)), CONTENT_TYPES.jpeg, signal),
  );
  return { first: range.first, count, elapsedMs: Date.now() - started };
}

/**
 * The thumbnail-sheet step: the poster (one seek on the source), the sprite sheet of the `tiles`
 * tiles the chunks made, and the VTT track: the same outputs and result as the thumbnails step.
 */
export async function thumbnailSheet(input: ThumbnailSheetInput, stores: { uploads: BlobStore; media: BlobStore }, ctx: StepContext): Promise<ThumbnailsResult> {
  const started = Date.now();
  validateThumbnailsInput(input);
  const planned = planSprite(input.durationSeconds, input.displayWidth, input.displayHeight);
  const count = requireNumber(input.tiles, 'tiles', { integer: true, min: 1, max: planned.count });
  const { signal } = ctx;
  const source = await sourceLocation(stores.uploads, input.sourceKey, signal);
  const poster = await makePoster(source, input, ctx);
  const tilesDir = join(ctx.workDir, 'tiles');
  await mkdir(tilesDir, { recursive: true });
  await mapLimit(Array.from({ length: count }, (_, i) => i), SEEK_CONCURRENCY, (i) => stores.media.getFile(keys.tile(input.videoId, i), join(tilesDir, tileFileName(i))));
  ctx.onProgress?.(0.5);
  return assembleThumbnails({ input, planned, count, tilesDir, poster, started }, stores.media, { ...ctx, onProgress: (f) => ctx.onProgress?.(0.5 + 0.5 * f) });
}
