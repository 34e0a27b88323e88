import { DEINTERLACE, TONEMAP_TO_SDR } from '../../../lib/video/conditioning';
import { InvalidInputError } from '../../../lib/video/errors';
import {
  buildThumbnailsVtt,
  even,
  planSprite,
  posterArgs,
  posterSize,
  posterTime,
  seekTileArgs,
  SINGLE_PASS_MAX_SECONDS,
  spriteArgs,
  spriteGrid,
  tileCount,
  tileFileName,
  tileFramesArgs,
  tileInterval,
  tileRect,
  validateThumbnailsInput,
  vttTimestamp,
} from '../../../lib/video/thumbnails';

describe('poster', () => {
  it('is the displayed frame, at most 1280 wide, even sizes', () => {
    expect(posterSize(1920, 1080)).toEqual({ width: 1280, height: 720 });
    expect(posterSize(640, 360)).toEqual({ width: 640, height: 360 });
    expect(posterSize(1080, 1920)).toEqual({ width: 1080, height: 1920 });
    expect(posterSize(3840, 1634)).toEqual({ width: 1280, height: 544 });
    expect(posterSize(853, 480)).toEqual({ width: 854, height: 480 });
  });

  it('is taken 10% in, but inside very short clips', () => {
    expect(posterTime(60)).toBe(6);
    expect(posterTime(2)).toBeCloseTo(0.2);
    expect(posterTime(0.05)).toBe(0);
  });

  it('even() rounds to even numbers of at least 2', () => {
    expect([even(89.9), even(90), even(91), even(0), even(1)]).toEqual([90, 90, 92, 2, 2]);
  });
});

describe('sprite grid math', () => {
  it('picks the smallest natural interval that keeps at most 100 tiles', () => {
    expect(tileInterval(2)).toBe(1);
    expect(tileInterval(100)).toBe(1);
    expect(tileInterval(100.5)).toBe(2);
    expect(tileInterval(600)).toBe(10);
    expect(tileInterval(3600)).toBe(60);
    expect(tileInterval(2 * 3600)).toBe(120);
    expect(tileInterval(24 * 3600)).toBe(864);
  });

  it('counts tiles at 0, N, 2N, ... before the end', () => {
    expect(tileCount(2, 1)).toBe(2);
    expect(tileCount(2.5, 1)).toBe(3);
    expect(tileCount(0.3, 1)).toBe(1);
    expect(tileCount(600, 10)).toBe(60);
    expect(tileCount(3600, 60)).toBe(60);
  });

  it.each([1, 59, 100, 101, 999, 3600, 7201, 86400])('never exceeds 100 tiles (%d s)', (duration) => {
    const grid = planSprite(duration, 1920, 1080);
    expect(grid.count).toBeLessThanOrEqual(100);
    expect(grid.count * grid.intervalSeconds).toBeGreaterThanOrEqual(duration - 1e-6);
  });

  it('tiles are 160 wide with the video aspect, 10 per row', () => {
    const g = planSprite(600, 1920, 1080);
    expect(g).toEqual({ intervalSeconds: 10, count: 60, columns: 10, rows: 6, tileWidth: 160, tileHeight: 90, width: 1600, height: 540 });
    const portrait = planSprite(30, 1080, 1920);
    expect([portrait.tileWidth, portrait.tileHeight, portrait.columns, portrait.rows]).toEqual([160, 284, 10, 3]);
  });

  it('fewer tiles than columns make a single short row', () => {
    expect(spriteGrid(2, 1, 160, 90)).toEqual({ intervalSeconds: 1, count: 2, columns: 2, rows: 1, tileWidth: 160, tileHeight: 90, width: 320, height: 90 });
    expect(spriteGrid(11, 1, 160, 90)).toMatchObject({ columns: 10, rows: 2, width: 1600, height: 180 });
  });

  it('tile rectangles run row by row', () => {
    const g = spriteGrid(25, 5, 160, 90);
    expect(tileRect(g, 0)).toEqual({ x: 0, y: 0, w: 160, h: 90 });
    expect(tileRect(g, 9)).toEqual({ x: 1440, y: 0, w: 160, h: 90 });
    expect(tileRect(g, 10)).toEqual({ x: 0, y: 90, w: 160, h: 90 });
    expect(tileRect(g, 24)).toEqual({ x: 640, y: 180, w: 160, h: 90 });
  });
});

describe('WebVTT', () => {
  it('formats timestamps', () => {
    expect(vttTimestamp(0)).toBe('00:00:00.000');
    expect(vttTimestamp(61.5)).toBe('00:01:01.500');
    expect(vttTimestamp(3723.0004)).toBe('01:02:03.000');
    expect(vttTimestamp(35999.9996)).toBe('10:00:00.000');
  });

  it('maps each interval to its tile, the last one to the end', () => {
    const g = spriteGrid(3, 10, 160, 90);
    expect(buildThumbnailsVtt(g, 25.5, 'sprite.jpg')).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.000 --> 00:00:10.000',
        'sprite.jpg#xywh=0,0,160,90',
        '',
        '00:00:10.000 --> 00:00:20.000',
        'sprite.jpg#xywh=160,0,160,90',
        '',
        '00:00:20.000 --> 00:00:25.500',
        'sprite.jpg#xywh=320,0,160,90',
        '',
      ].join('\n'),
    );
  });

  it('a single tile covers the whole clip; rows wrap in the coordinates', () => {
    expect(buildThumbnailsVtt(spriteGrid(1, 1, 160, 90), 0.4, 'sprite.jpg')).toContain('00:00:00.000 --> 00:00:00.400\nsprite.jpg#xywh=0,0,160,90');
    const vtt = buildThumbnailsVtt(spriteGrid(12, 1, 160, 90), 12, 's.jpg');
    expect(vtt).toContain('00:00:10.000 --> 00:00:11.000\ns.jpg#xywh=0,90,160,90');
    expect(vtt.match(/-->/g)).toHaveLength(12);
  });
});

describe('ffmpeg command lines', () => {
  it('poster: input seek, one frame, scaled', () => {
    expect(posterArgs({ source: '/w/source', output: '/w/poster.jpg', timeSeconds: 1.23456, width: 1280, height: 720 })).toEqual([
      '-ss', '1.235', '-i', '/w/source', '-map', '0:v:0', '-frames:v', '1', '-vf', 'scale=1280:720,setsar=1', '-q:v', '3', '-f', 'image2', '/w/poster.jpg',
    ]);
  });

  it('tiles: one frame per interval on the grid, scaled, capped', () => {
    const args = tileFramesArgs({ source: '/w/source', outputPattern: '/w/tiles/tile_%04d.jpg', intervalSeconds: 10, tileWidth: 160, tileHeight: 90, maxTiles: 60 });
    expect(args).toContain("select='gte(t,10*selected_n)',scale=160:90,setsar=1");
    expect(args.slice(args.indexOf('-vsync'), args.indexOf('-vsync') + 2)).toEqual(['-vsync', 'vfr']);
    expect(args.slice(args.indexOf('-frames:v'), args.indexOf('-frames:v') + 2)).toEqual(['-frames:v', '60']);
    expect(args[args.length - 1]).toBe('/w/tiles/tile_%04d.jpg');
  });

  it('tiles of long videos: one input seek per tile', () => {
    expect(seekTileArgs({ source: '/w/source', output: '/w/tiles/tile_0003.jpg', timeSeconds: 20, tileWidth: 160, tileHeight: 90 })).toEqual([
      '-ss', '20.000', '-i', '/w/source', '-map', '0:v:0', '-frames:v', '1', '-vf', 'scale=160:90,setsar=1', '-q:v', '5', '-f', 'image2', '/w/tiles/tile_0003.jpg',
    ]);
    expect([tileFileName(0), tileFileName(99)]).toEqual(['tile_0001.jpg', 'tile_0100.jpg']);
    expect(SINGLE_PASS_MAX_SECONDS).toBe(120);
  });

  it('an interlaced or HDR source: poster and tiles conditioned like the renditions, before the scale', () => {
    const conditioning = [DEINTERLACE, TONEMAP_TO_SDR];
    const vf = (args: string[]) => args[args.indexOf('-vf') + 1];
    expect(vf(posterArgs({ source: 's', output: 'p.jpg', timeSeconds: 1, width: 1280, height: 720, conditioning }))).toBe(`${DEINTERLACE},${TONEMAP_TO_SDR},scale=1280:720,setsar=1`);
    expect(vf(seekTileArgs({ source: 's', output: 't.jpg', timeSeconds: 20, tileWidth: 160, tileHeight: 90, conditioning }))).toBe(`${DEINTERLACE},${TONEMAP_TO_SDR},scale=160:90,setsar=1`);
    expect(vf(tileFramesArgs({ source: 's', outputPattern: 't_%04d.jpg', intervalSeconds: 10, tileWidth: 160, tileHeight: 90, maxTiles: 6, conditioning }))).toBe(
      `select='gte(t,10*selected_n)',${DEINTERLACE},${TONEMAP_TO_SDR},scale=160:90,setsar=1`,
    );
  });

  it('sprite: the tiles laid out columns x rows', () => {
    const args = spriteArgs({ inputPattern: '/w/tiles/tile_%04d.jpg', output: '/w/sprite.jpg', columns: 10, rows: 6 });
    expect(args).toContain('tile=10x6');
    expect(args[args.length - 1]).toBe('/w/sprite.jpg');
  });
});

describe('validateThumbnailsInput', () => {
  const good = { videoId: 'v1', sourceKey: 'v1/source', durationSeconds: 10, displayWidth: 640, displayHeight: 360 };
  it('accepts a well-formed input and refuses a bad one', () => {
    expect(validateThumbnailsInput(good)).toBe(good);
    expect(() => validateThumbnailsInput({ ...good, durationSeconds: 0 })).toThrow(InvalidInputError);
    expect(() => validateThumbnailsInput({ ...good, displayWidth: 0 })).toThrow(InvalidInputError);
    expect(() => validateThumbnailsInput({ ...good, sourceKey: '/abs' })).toThrow(InvalidInputError);
  });
});
