/**
 * The thumbnails' geometry and timing: poster size and time, the sprite grid, which tiles fall in
 * a time range, and the WebVTT track. Pure, so the workflow can plan per-chunk tile tasks too.
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


/** The tiles whose times (i * interval) fall in [start, end) (end: the video's end), as first index and count. */
export function tilesInRange(grid: Pick<SpriteGrid, 'intervalSeconds' | 'count'>, startSeconds: number, endSeconds?: number): { first: number; count: number } {
  const first = Math.max(0, Math.ceil(startSeconds / grid.intervalSeconds - 1e-9));
  const end = endSeconds === undefined ? grid.count : Math.min(grid.count, Math.ceil(endSeconds / grid.intervalSeconds - 1e-9));
  return { first, count: Math.max(0, end - first) };
}
