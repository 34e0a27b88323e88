import type { SourceTraits } from '../../../lib/video/contracts';
import { conditioningFilters, DEINTERLACE, TONEMAP_TO_SDR } from '../../../lib/video/conditioning';
import { encodeArgs } from '../../../lib/video/transcode';

const plain: SourceTraits = { variableFrameRate: false, interlaced: false, hdr: false, bitDepth: 8, pixelFormat: 'yuv420p', decodableSeconds: 10 };

describe('conditioningFilters', () => {
  it('nothing for an ordinary source, or one probed before traits existed', () => {
    expect(conditioningFilters(plain)).toEqual([]);
    expect(conditioningFilters(undefined)).toEqual([]);
    // 10-bit SDR needs no filter: the encode's format=yuv420p takes it to 8 bits.
    expect(conditioningFilters({ ...plain, bitDepth: 10, pixelFormat: 'yuv420p10le' })).toEqual([]);
  });

  it('deinterlaces interlaced sources, tone-maps HDR ones, in that order', () => {
    expect(conditioningFilters({ ...plain, interlaced: true })).toEqual([DEINTERLACE]);
    expect(conditioningFilters({ ...plain, hdr: true, bitDepth: 10 })).toEqual([TONEMAP_TO_SDR]);
    expect(conditioningFilters({ ...plain, interlaced: true, hdr: true })).toEqual([DEINTERLACE, TONEMAP_TO_SDR]);
  });

  it('run before the scale in the encode', () => {
    const rendition = { name: '720p', width: 1280, height: 720, videoBitrateKbps: 2800, maxBitrateKbps: 2996, bufferSizeKbits: 4200, audioBitrateKbps: 128 };
    const args = encodeArgs({ source: 's', output: 'o', rendition, frameRate: 25, hasAudio: false, segmentSeconds: 4, conditioning: [DEINTERLACE] });
    expect(args[args.indexOf('-vf') + 1]).toBe(`${DEINTERLACE},scale=1280:720,setsar=1,format=yuv420p`);
  });
});
