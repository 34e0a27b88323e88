import type { ProbeResult, Rendition } from '../../../lib/video/contracts';
import { describeLadder, displaySize, planLadder } from '../../../lib/video/ladder';

function probe(over: Partial<ProbeResult>): ProbeResult {
  const width = over.width ?? 1920;
  const height = over.height ?? 1080;
  return {
    durationSeconds: 10,
    width,
    height,
    rotation: 0,
    displayWidth: width,
    displayHeight: height,
    frameRate: 30,
    videoCodec: 'h264',
    hasAudio: true,
    sizeBytes: 1_000_000,
    formatName: 'mp4',
    ...over,
  };
}

const sizes = (ladder: Rendition[]) => ladder.map((r) => `${r.name} ${r.width}x${r.height}`);

describe('planLadder', () => {
  it('gives a 1080p landscape source every rung, 16:9 and even', () => {
    const ladder = planLadder(probe({}));
    expect(sizes(ladder)).toEqual(['1080p 1920x1080', '720p 1280x720', '480p 854x480', '360p 640x360']);
    expect(ladder.map((r) => r.videoBitrateKbps)).toEqual([5000, 2800, 1400, 800]);
    expect(ladder[0]).toEqual({ name: '1080p', width: 1920, height: 1080, videoBitrateKbps: 5000, maxBitrateKbps: 5350, bufferSizeKbits: 7500, audioBitrateKbps: 128 });
    expect(ladder.map((r) => r.audioBitrateKbps)).toEqual([128, 128, 96, 96]);
    for (const r of ladder) {
      expect(r.width % 2).toBe(0);
      expect(r.height % 2).toBe(0);
      expect(r.maxBitrateKbps).toBe(Math.round(r.videoBitrateKbps * 1.07));
      expect(r.bufferSizeKbits).toBe(Math.round(r.videoBitrateKbps * 1.5));
    }
  });

  it('never upscales a 720p source', () => {
    expect(sizes(planLadder(probe({ width: 1280, height: 720 })))).toEqual(['720p 1280x720', '480p 854x480', '360p 640x360']);
  });

  it('keeps a rotated phone video portrait (rotation 90 on a 1920x1080 coded frame)', () => {
    const ladder = planLadder(probe({ width: 1920, height: 1080, rotation: 90, displayWidth: 1080, displayHeight: 1920 }));
    expect(sizes(ladder)).toEqual(['1080p 1080x1920', '720p 720x1280', '480p 480x854', '360p 360x640']);
    // same pixels as landscape, same bitrates
    expect(ladder.map((r) => r.videoBitrateKbps)).toEqual([5000, 2800, 1400, 800]);
    // display size falls back to the coded size turned by the rotation when it is missing
    expect(displaySize({ width: 1920, height: 1080, rotation: 270, displayWidth: 0, displayHeight: 0 })).toEqual({ width: 1080, height: 1920 });
    expect(sizes(planLadder(probe({ width: 1920, height: 1080, rotation: 90, displayWidth: 0, displayHeight: 0 })))[0]).toBe('1080p 1080x1920');
  });

  it('gives a source below 360p one rendition at its own size, with a scaled-down bitrate', () => {
    const ladder = planLadder(probe({ width: 320, height: 240 }));
    expect(ladder).toEqual([{ name: '240p', width: 320, height: 240, videoBitrateKbps: 267, maxBitrateKbps: 286, bufferSizeKbits: 401, audioBitrateKbps: 96 }]);
    expect(sizes(planLadder(probe({ width: 321, height: 241 })))).toEqual(['240p 320x240']);
    expect(planLadder(probe({ width: 96, height: 64 }))[0]?.videoBitrateKbps).toBe(100); // the floor
  });

  it('rounds odd sizes to even numbers without exceeding the source', () => {
    expect(sizes(planLadder(probe({ width: 1279, height: 719 })))).toEqual(['480p 854x480', '360p 640x360']);
    // 1921x1081 is a hair narrower than 16:9: 480p is 852.95 wide, rounded to the nearest even 852
    expect(sizes(planLadder(probe({ width: 1921, height: 1081 })))).toEqual(['1080p 1920x1080', '720p 1280x720', '480p 852x480', '360p 640x360']);
    expect(sizes(planLadder(probe({ width: 1081, height: 1921 })))[0]).toBe('1080p 1080x1920');
    expect(sizes(planLadder(probe({ width: 1080, height: 1081 })))[0]).toBe('1080p 1080x1080');
  });

  it('caps a 4K source at 1080p', () => {
    expect(sizes(planLadder(probe({ width: 3840, height: 2160 })))).toEqual(['1080p 1920x1080', '720p 1280x720', '480p 854x480', '360p 640x360']);
    expect(sizes(planLadder(probe({ width: 4096, height: 2160 })))[0]).toBe('1080p 2048x1080');
  });

  it('spends fewer bits on fewer pixels and low frame rates', () => {
    const fourThree = planLadder(probe({ width: 1440, height: 1080 }));
    expect(sizes(fourThree)[0]).toBe('1080p 1440x1080');
    expect(fourThree[0]?.videoBitrateKbps).toBe(3750); // 3/4 of the 16:9 pixels
    const slow = planLadder(probe({ frameRate: 12 }));
    expect(slow.map((r) => r.videoBitrateKbps)).toEqual([2500, 1400, 700, 400]);
    expect(planLadder(probe({ frameRate: 60 }))[0]?.videoBitrateKbps).toBe(5000);
    expect(planLadder(probe({ frameRate: 1 }))[0]?.videoBitrateKbps).toBe(2500); // never below half
  });

  it('returns nothing for a source without a usable frame size', () => {
    expect(planLadder(probe({ width: 0, height: 0, displayWidth: 0, displayHeight: 0 }))).toEqual([]);
    expect(planLadder(probe({ width: 1, height: 1, displayWidth: 1, displayHeight: 1 }))).toEqual([]);
    expect(planLadder(probe({ width: Number.NaN, height: 1080, displayWidth: Number.NaN, displayHeight: 1080 }))).toEqual([]);
    // a broken display size falls back to the coded one
    expect(sizes(planLadder(probe({ displayWidth: Number.NaN, displayHeight: 1080 })))[0]).toBe('1080p 1920x1080');
  });

  it('is deterministic', () => {
    const p = probe({ width: 1000, height: 562 });
    expect(planLadder(p)).toEqual(planLadder(p));
  });
});

describe('describeLadder (manifest.json "ladder")', () => {
  it('1918x1078: a 1282x720 top rung, and the manifest says why there is no 1080p', () => {
    const p = probe({ width: 1918, height: 1078, displayWidth: 1918, displayHeight: 1078 });
    expect(sizes(planLadder(p))[0]).toBe('720p 1282x720');
    expect(describeLadder(p)).toEqual({
      sourceShortSide: 1078,
      renditions: ['720p', '480p', '360p'],
      note: "No 1080p rendition: the source's short side is 1078 px (1918x1078), and renditions are never upscaled.",
    });
  });

  it('a portrait phone video is labelled by its short side and keeps its full ladder', () => {
    const p = probe({ width: 1920, height: 1080, rotation: 90, displayWidth: 1080, displayHeight: 1920 });
    expect(sizes(planLadder(p))).toEqual(['1080p 1080x1920', '720p 720x1280', '480p 480x854', '360p 360x640']);
    expect(describeLadder(p)).toEqual({ sourceShortSide: 1080, renditions: ['1080p', '720p', '480p', '360p'] });
  });

  it('names every missing rung, and the single rendition of a tiny source', () => {
    expect(describeLadder(probe({ width: 854, height: 480, displayWidth: 854, displayHeight: 480 })).note).toBe(
      "No 1080p or 720p rendition: the source's short side is 480 px (854x480), and renditions are never upscaled.",
    );
    expect(describeLadder(probe({ width: 320, height: 240, displayWidth: 320, displayHeight: 240 }))).toEqual({
      sourceShortSide: 240,
      renditions: ['240p'],
      note: 'The source (320x240) is smaller than the smallest rung (360p): one rendition at its own size; renditions are never upscaled.',
    });
  });
});
