import { InvalidChunkSecondsError, chunkCountFor, chunkCut, chunkRange, chunkRanges, frameIndex, planChunks, validateChunkSeconds } from '../../../lib/video/chunks';
import { chunkEncodeArgs } from '../../../lib/video/chunk-encode';
import { DEINTERLACE, TONEMAP_TO_SDR } from '../../../lib/video/conditioning';
import { CHUNKING } from '../../../lib/video/definition';
import { chooseMp4Delivery, concatList, DISK_MARGIN_MB, fragmentedJoinArgs, joinArgs, joinedSizeEstimate, packageDiskBudgetBytes } from '../../../lib/video/package';
import { STEPS } from '../../../lib/video/definition';
import { planSprite, tilesInRange } from '../../../lib/video/sprite';
import { forceKeyFramesExpr } from '../../../lib/video/transcode';

describe('the chunk plan', () => {
  it('cuts on the segment grid, the last chunk taking the rest', () => {
    const plan = planChunks(50, 20, 3);
    expect(plan).toEqual({ seconds: 20, count: 3, concurrency: 3, segmentSeconds: 4 });
    expect(chunkRanges(plan)).toEqual([
      { index: 0, startSeconds: 0, endSeconds: 20 },
      { index: 1, startSeconds: 20, endSeconds: 40 },
      { index: 2, startSeconds: 40 },
    ]);
    expect(() => chunkRange(plan, 3)).toThrow(RangeError);
  });

  it('folds a remainder under half a second into the last chunk, and gives a short video one chunk', () => {
    expect(chunkCountFor(60.02, 20)).toBe(3);
    expect(chunkCountFor(60.5, 20)).toBe(4);
    expect(chunkCountFor(60, 20)).toBe(3);
    expect(chunkCountFor(10, 60)).toBe(1);
    expect(chunkCountFor(0, 60)).toBe(1);
  });

  it('lengthens chunks by whole segments rather than exceed maxChunks, so a 3-hour video stays bounded at any setting', () => {
    const threeHours = 3 * 3600;
    expect(planChunks(threeHours, CHUNKING.seconds, 10).count).toBe(180);
    const tiny = planChunks(threeHours, 4, 10);
    expect(tiny.count).toBeLessThanOrEqual(CHUNKING.maxChunks);
    expect(tiny.seconds % 4).toBe(0);
    expect(planChunks(threeHours, 4, 10, { maxChunks: 100 })).toEqual({ seconds: 108, count: 100, concurrency: 10, segmentSeconds: 4 });
  });

  it('refuses chunk lengths off the grid or out of bounds, and a bad concurrency', () => {
    expect(() => validateChunkSeconds(6)).toThrow(InvalidChunkSecondsError);
    expect(() => validateChunkSeconds(0)).toThrow('between 4 and 600');
    expect(() => validateChunkSeconds(604)).toThrow('between 4 and 600');
    expect(validateChunkSeconds(8)).toBe(8);
    expect(() => planChunks(100, 20, 0)).toThrow('positive integer');
  });
});

describe('cutting a chunk', () => {
  it('at an integer rate: exact frames, seek just before the first, keyframes on the plain grid', () => {
    expect(chunkCut({ index: 1, startSeconds: 20, endSeconds: 40 }, 30)).toEqual({ seekSeconds: 19.9995, frames: 600, gridOffsetSeconds: 0 });
    expect(chunkCut({ index: 0, startSeconds: 0, endSeconds: 20 }, 30)).toEqual({ seekSeconds: 0, frames: 600, gridOffsetSeconds: 0 });
    expect(chunkCut({ index: 2, startSeconds: 40 }, 30).frames).toBeUndefined();
  });

  it('at 29.97: every frame in exactly one chunk, the first on the frame a single encode keys', () => {
    const fps = 30000 / 1001;
    const plan = planChunks(600, 60, 2);
    let next = 0;
    for (const r of chunkRanges(plan).slice(0, -1)) {
      const cut = chunkCut(r, fps);
      expect(frameIndex(r.startSeconds, fps)).toBe(next);
      next += cut.frames!;
      // The first frame at or after the grid time, less than a frame after it.
      expect(cut.gridOffsetSeconds).toBeGreaterThanOrEqual(0);
      expect(cut.gridOffsetSeconds).toBeLessThan(1 / fps);
    }
    expect(next).toBe(frameIndex(540, fps));
    expect(frameIndex(60, fps)).toBe(1799); // 1798 is at 59.993 s, 1799 at 60.027 s
  });

  it('makes the ffmpeg arguments: input seek, reset timestamps, frame count, shifted keyframe grid, no audio', () => {
    const rendition = { name: '720p', width: 1280, height: 720, videoBitrateKbps: 2800, maxBitrateKbps: 2996, bufferSizeKbits: 4200, audioBitrateKbps: 128 };
    const args = chunkEncodeArgs({ source: 'src.mp4', output: 'out.mp4', rendition, frameRate: 30000 / 1001, segmentSeconds: 4, range: { index: 1, startSeconds: 60, endSeconds: 120 } });
    expect(args.slice(0, 4)).toEqual(['-ss', '60.026133', '-i', 'src.mp4']);
    expect(args[args.indexOf('-vf') + 1]).toBe('setpts=PTS-STARTPTS,scale=1280:720,setsar=1,format=yuv420p');
    expect(args[args.indexOf('-frames:v') + 1]).toBe('1798');
    expect(args[args.indexOf('-force_key_frames') + 1]).toBe('expr:gte(t,n_forced*4-0.026733)');
    expect(args).toContain('-an');
    expect(forceKeyFramesExpr(4)).toBe('expr:gte(t,n_forced*4)');
  });

  it('conditions an interlaced or HDR source in every chunk, after the timestamp reset and before the scale', () => {
    const rendition = { name: '720p', width: 1280, height: 720, videoBitrateKbps: 2800, maxBitrateKbps: 2996, bufferSizeKbits: 4200, audioBitrateKbps: 128 };
    const traits = { variableFrameRate: false, interlaced: true, hdr: true, bitDepth: 10, pixelFormat: 'yuv420p10le', decodableSeconds: 120 };
    const args = chunkEncodeArgs({ source: 'src.mp4', output: 'out.mp4', rendition, frameRate: 25, segmentSeconds: 4, range: { index: 0, startSeconds: 0, endSeconds: 60 }, traits });
    expect(args[args.indexOf('-vf') + 1]).toBe(`setpts=PTS-STARTPTS,${DEINTERLACE},${TONEMAP_TO_SDR},scale=1280:720,setsar=1,format=yuv420p`);
  });
});

describe('packaging and tiles', () => {
  it('joins with the concat demuxer, streams copied, the audio beside', () => {
    expect(concatList(['/tmp/a.mp4', "/tmp/it's.mp4"])).toBe("file '/tmp/a.mp4'\nfile '/tmp/it'\\''s.mp4'\n");
    const args = joinArgs({ list: 'l.txt', audio: 'a.m4a', output: 'o.mp4' });
    expect(args.join(' ')).toBe('-protocol_whitelist file,http,https,tcp,tls,crypto -f concat -safe 0 -i l.txt -i a.m4a -map 0:v:0 -map 1:a:0 -c copy -map_metadata -1 -movflags +faststart -f mp4 o.mp4');
    expect(joinArgs({ list: 'l.txt', output: 'o.mp4' })).not.toContain('1:a:0');
  });

  it('streams a fragmented MP4 to stdout when the MP4 does not fit the disk', () => {
    expect(fragmentedJoinArgs({ list: 'l.txt', audio: 'a.m4a' }).slice(-5).join(' ')).toBe('-movflags frag_keyframe+empty_moov+default_base_moof -f mp4 pipe:1');
    expect(joinedSizeEstimate([100 * 1024 * 1024, 20 * 1024 * 1024])).toBe(Math.ceil(120 * 1024 * 1024 * 1.02) + 1024 * 1024);
    expect(chooseMp4Delivery(1000, 1000)).toBe('file');
    expect(chooseMp4Delivery(1001, 1000)).toBe('fragmented');
  });

  it('takes its disk budget from the package function\'s ephemeral storage, or PACKAGE_DISK_BUDGET_MB', () => {
    expect(packageDiskBudgetBytes({})).toBe((STEPS.packageRendition.ephemeralStorageMb - DISK_MARGIN_MB) * 1024 * 1024);
    expect(packageDiskBudgetBytes({ PACKAGE_DISK_BUDGET_MB: '2' })).toBe(2 * 1024 * 1024);
    expect(() => packageDiskBudgetBytes({ PACKAGE_DISK_BUDGET_MB: 'lots' })).toThrow('PACKAGE_DISK_BUDGET_MB must be a number of MB');
  });

  it('gives each chunk the tiles whose times fall in it', () => {
    const grid = planSprite(180, 1280, 720); // a tile every 2 s, 90 tiles
    expect(tilesInRange(grid, 0, 20)).toEqual({ first: 0, count: 10 });
    expect(tilesInRange(grid, 160)).toEqual({ first: 80, count: 10 });
    const long = planSprite(3 * 3600, 1280, 720); // every 120 s: most 60 s chunks hold one tile or none
    expect(tilesInRange(long, 60, 120)).toEqual({ first: 1, count: 0 });
    expect(tilesInRange(long, 120, 180)).toEqual({ first: 1, count: 1 });
  });
});
