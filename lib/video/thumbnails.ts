import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../storage/blob-store';
import { keys, type ThumbnailsInput, type ThumbnailsResult } from './contracts';
import { throwIfAborted } from './errors';
import { runFfmpeg } from './ffmpeg';
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

export const POSTER_MAX_WIDTH = 1280;
/** Where the poster frame is taken, as a fraction of the duration. */
export const POSTER_AT = 0.1;
export const TILE_WIDTH = 160;
export const SPRITE_COLUMNS = 10;
export const MAX_TILES = 100;
/** Tile intervals people find natural; the first that keeps the count within MAX_TILES wins. */
export const TILE_INTERVALS = [1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 180, 300, 600] as const;

/** Rounds to an even number, at least 2 (4:2:0 chroma needs even sizes). */
export function even(n: number): number {
  return Math.max(2, 2 * Math.round(n / 2));
}

/** Poster size: the displayed frame, at most `maxWidth` wide, aspect kept, even dimensions. */
export function posterSize(displayWidth: number, displayHeight: number, maxWidth = POSTER_MAX_WIDTH): { width: number; height: number } {
  const width = even(Math.min(maxWidth, displayWidth));
  return { width, height: even((width * displayHeight) / displayWidth) };
}

/** The poster's time: 10% in, but never past the last moment of a very short clip. */
export function posterTime(durationSeconds: number): number {
  const t = durationSeconds * POSTER_AT;
  return Math.max(0, Math.min(t, durationSeconds - 0.1));
}

/** Seconds between tiles: the smallest natural interval giving at most `maxTiles` tiles. */
export function tileInterval(durationSeconds: number, maxTiles = MAX_TILES): number {
  for (const interval of TILE_INTERVALS) if (tileCount(durationSeconds, interval) <= maxTiles) return interval;
  return Math.ceil(durationSeconds / maxTiles);
}

/** Tiles at 0, N, 2N, ... strictly before the end. */
export function tileCount(durationSeconds: number, intervalSeconds: number): number {
  return Math.max(1, Math.ceil(durationSeconds / intervalSeconds - 1e-6));
}

export interface SpriteGrid {
  intervalSeconds: number;
  count: number;
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
  /** Sprite sheet size. */
  width: number;
  height: number;
}

/** The grid for `count` tiles: up to `columns` per row (fewer when there are fewer tiles). */
export function spriteGrid(count: number, intervalSeconds: number, tileWidth: number, tileHeight: number, columns = SPRITE_COLUMNS): SpriteGrid {
  const cols = Math.max(1, Math.min(columns, count));
  const rows = Math.max(1, Math.ceil(count / cols));
  return { intervalSeconds, count, columns: cols, rows, tileWidth, tileHeight, width: cols * tileWidth, height: rows * tileHeight };
}

/** The planned grid for a video: interval, tile count and tile size (160 wide, aspect kept). */
export function planSprite(
  durationSeconds: number,
  displayWidth: number,
  displayHeight: number,
  opts: { maxTiles?: number; tileWidth?: number; columns?: number } = {},
): SpriteGrid {
  const interval = tileInterval(durationSeconds, opts.maxTiles ?? MAX_TILES);
  const tileWidth = even(opts.tileWidth ?? TILE_WIDTH);
  const tileHeight = even((tileWidth * displayHeight) / displayWidth);
  return spriteGrid(tileCount(durationSeconds, interval), interval, tileWidth, tileHeight, opts.columns ?? SPRITE_COLUMNS);
}

/** Where tile `i` (0-based, row-major) sits in the sprite. */
export function tileRect(grid: SpriteGrid, i: number): { x: number; y: number; w: number; h: number } {
  return {
    x: (i % grid.columns) * grid.tileWidth,
    y: Math.floor(i / grid.columns) * grid.tileHeight,
    w: grid.tileWidth,
    h: grid.tileHeight,
  };
}

/** Seconds -> WebVTT timestamp `HH:MM:SS.mmm`. */
export function vttTimestamp(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** The WebVTT thumbnails track: one cue per tile, the last one running to the end. */
export function buildThumbnailsVtt(grid: SpriteGrid, durationSeconds: number, spriteUri: string): string {
  const lines = ['WEBVTT', ''];
  for (let i = 0; i < grid.count; i++) {
    const start = i * grid.intervalSeconds;
    if (i > 0 && start >= durationSeconds) break;
    const end = i === grid.count - 1 ? Math.max(durationSeconds, start + 0.001) : Math.min((i + 1) * grid.intervalSeconds, durationSeconds);
    const r = tileRect(grid, i);
    lines.push(`${vttTimestamp(start)} --> ${vttTimestamp(end)}`, `${spriteUri}#xywh=${r.x},${r.y},${r.w},${r.h}`, '');
  }
  return lines.join('\n');
}

/** One frame at `timeSeconds`, scaled to the poster size (input seek: fast). */
export function posterArgs(opts: { source: string; output: string; timeSeconds: number; width: number; height: number }): string[] {
  return [
    '-ss', opts.timeSeconds.toFixed(3),
    '-i', opts.source,
    '-map', '0:v:0',
    '-frames:v', '1',
    '-vf', `scale=${opts.width}:${opts.height},setsar=1`,
    '-q:v', '3',
    '-f', 'image2',
    opts.output,
  ];
}

/**
 * The tiles: the first frame at or after each multiple of the interval (`gte(t, N*selected_n)`
 * keeps them on the grid without drift), scaled to the tile size, one JPEG each.
 */
export function tileFramesArgs(opts: { source: string; outputPattern: string; intervalSeconds: number; tileWidth: number; tileHeight: number; maxTiles: number }): string[] {
  return [
    '-i', opts.source,
    '-map', '0:v:0',
    '-an', '-sn', '-dn',
    '-vf', `select='gte(t,${opts.intervalSeconds}*selected_n)',scale=${opts.tileWidth}:${opts.tileHeight},setsar=1`,
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
export function seekTileArgs(opts: { source: string; output: string; timeSeconds: number; tileWidth: number; tileHeight: number }): string[] {
  return [
    '-ss', opts.timeSeconds.toFixed(3),
    '-i', opts.source,
    '-map', '0:v:0',
    '-frames:v', '1',
    '-vf', `scale=${opts.tileWidth}:${opts.tileHeight},setsar=1`,
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
  const { videoId, durationSeconds, displayWidth, displayHeight } = input;
  const { signal } = ctx;
  const log = ctx.logger ?? silentLogger;
  const sig = signal ? { signal } : {};
  const progress = (f: number) => ctx.onProgress?.(Math.max(0, Math.min(1, f)));

  const source = join(ctx.workDir, 'source');
  await downloadSource(stores.uploads, input.sourceKey, source, signal);
  progress(0.05);

  // Poster; a seek past the last frame (a clip shorter than its container says) falls back to 0.
  const poster = join(ctx.workDir, 'poster.jpg');
  const posterDims = posterSize(displayWidth, displayHeight);
  await runFfmpeg(posterArgs({ source, output: poster, timeSeconds: posterTime(durationSeconds), ...posterDims }), sig);
  if (!(await nonEmpty(poster))) await runFfmpeg(posterArgs({ source, output: poster, timeSeconds: 0, ...posterDims }), sig);
  if (!(await nonEmpty(poster))) throw new Error('ffmpeg produced no poster frame');
  progress(0.15);

  // Tiles, then the sheet from however many tiles the video really yielded.
  const planned = planSprite(durationSeconds, displayWidth, displayHeight);
  const tilesDir = join(ctx.workDir, 'tiles');
  await mkdir(tilesDir, { recursive: true });
  const strategy = ctx.tileStrategy && ctx.tileStrategy !== 'auto' ? ctx.tileStrategy : durationSeconds <= SINGLE_PASS_MAX_SECONDS ? 'single-pass' : 'seek';
  const tileProgress = (f: number) => progress(0.15 + 0.7 * f);
  if (strategy === 'single-pass') {
    await runFfmpeg(
      tileFramesArgs({ source, outputPattern: join(tilesDir, 'tile_%04d.jpg'), intervalSeconds: planned.intervalSeconds, tileWidth: planned.tileWidth, tileHeight: planned.tileHeight, maxTiles: planned.count }),
      { ...sig, durationSeconds, onProgress: (p) => tileProgress(p.fraction ?? 0) },
    );
  } else {
    let done = 0;
    await mapLimit(Array.from({ length: planned.count }, (_, i) => i), SEEK_CONCURRENCY, async (i) => {
      const output = join(tilesDir, tileFileName(i));
      await runFfmpeg(seekTileArgs({ source, output, timeSeconds: i * planned.intervalSeconds, tileWidth: planned.tileWidth, tileHeight: planned.tileHeight }), sig);
      tileProgress(++done / planned.count);
    });
  }
  const count = await contiguousTiles(tilesDir, planned.count);
  if (count === 0) throw new Error('ffmpeg produced no sprite tiles');
  const grid = spriteGrid(count, planned.intervalSeconds, planned.tileWidth, planned.tileHeight);
  const sprite = join(ctx.workDir, 'sprite.jpg');
  await runFfmpeg(spriteArgs({ inputPattern: join(tilesDir, 'tile_%04d.jpg'), output: sprite, columns: grid.columns, rows: grid.rows }), sig);
  throwIfAborted(signal);
  progress(0.9);

  const vttKey = keys.vtt(videoId);
  const spriteKey = keys.sprite(videoId);
  const vttText = buildThumbnailsVtt(grid, durationSeconds, relativeUri(vttKey, spriteKey));
  const [posterInfo, spriteInfo] = await Promise.all([
    uploadFile(stores.media, keys.poster(videoId), poster, CONTENT_TYPES.jpeg, signal),
    uploadFile(stores.media, spriteKey, sprite, CONTENT_TYPES.jpeg, signal),
  ]);
  // The track last: it names the sprite.
  const vttInfo = await uploadBuffer(stores.media, vttKey, vttText, CONTENT_TYPES.vtt, signal);
  progress(1);
  log.info('thumbnails', { videoId, count, intervalSeconds: grid.intervalSeconds });

  return {
    poster: { ...posterInfo, ...posterDims },
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
    elapsedMs: Date.now() - started,
  };
}
