import { FrameTooLargeError, NotAVideoError, InvalidInputError, TruncatedSourceError } from '../../../lib/video/errors';
import {
  bannerTiming,
  bitDepthOf,
  checkDecodable,
  MAX_SOURCE_PIXELS,
  MAX_SOURCE_SIDE,
  mediaEnd,
  parseProbe,
  parseRate,
  probeArgs,
  remuxForProbeArgs,
  rotationOf,
  tailScanArgs,
  traitsOf,
  type FfprobeOutput,
  type FfprobeStream,
  type ProbedSource,
} from '../../../lib/video/probe';

function landscape(overrides: Partial<FfprobeStream> = {}, withAudio = true): FfprobeOutput {
  return {
    streams: [
      {
        index: 0,
        codec_type: 'video',
        codec_name: 'h264',
        width: 1920,
        height: 1080,
        sample_aspect_ratio: '1:1',
        avg_frame_rate: '30000/1001',
        r_frame_rate: '30000/1001',
        duration: '12.345000',
        ...overrides,
      },
      ...(withAudio ? [{ index: 1, codec_type: 'audio', codec_name: 'aac' }] : []),
    ],
    format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '12.400000', size: '1000000', bit_rate: '645161' },
  };
}

describe('parseRate', () => {
  it.each([
    ['30000/1001', 29.97002997],
    ['25/1', 25],
    ['24', 24],
    ['0/0', 0],
    ['abc', 0],
    [undefined, 0],
  ])('%s -> %d', (rate, expected) => {
    expect(parseRate(rate)).toBeCloseTo(expected, 6);
  });
});

describe('rotationOf', () => {
  it('reads the rotate tag (clockwise, ffmpeg 4.x)', () => {
    expect(rotationOf({ tags: { rotate: '90' } })).toBe(90);
    expect(rotationOf({ tags: { rotate: '270' } })).toBe(270);
    expect(rotationOf({ tags: { rotate: '-90' } })).toBe(270);
    expect(rotationOf({ tags: { rotate: '180' } })).toBe(180);
  });

  it('reads the display matrix side data (counter-clockwise, newer ffprobe)', () => {
    const dm = (rotation: number | string) => ({ side_data_list: [{ side_data_type: 'Display Matrix', displaymatrix: '...', rotation }] });
    expect(rotationOf(dm(-90))).toBe(90);
    expect(rotationOf(dm(90))).toBe(270);
    expect(rotationOf(dm(-180))).toBe(180);
    expect(rotationOf(dm(180))).toBe(180);
    expect(rotationOf(dm(0))).toBe(0);
    expect(rotationOf(dm('-90.00'))).toBe(90);
  });

  it('prefers the tag, snaps to quarter turns, defaults to 0', () => {
    expect(rotationOf({ tags: { rotate: '90' }, side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] })).toBe(90);
    expect(rotationOf({ tags: { rotate: '89.6' } })).toBe(90);
    expect(rotationOf({})).toBe(0);
    expect(rotationOf({ side_data_list: [{ side_data_type: 'Stereo 3D' }] })).toBe(0);
  });
});

describe('parseProbe', () => {
  it('describes a landscape video', () => {
    expect(parseProbe(landscape(), 1_000_001)).toEqual({
      durationSeconds: 12.4,
      width: 1920,
      height: 1080,
      rotation: 0,
      displayWidth: 1920,
      displayHeight: 1080,
      frameRate: 29.97,
      videoCodec: 'h264',
      hasAudio: true,
      audioCodec: 'aac',
      bitRate: 645161,
      sizeBytes: 1_000_001,
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      traits: { variableFrameRate: false, interlaced: false, hdr: false, bitDepth: 8, pixelFormat: 'unknown', decodableSeconds: 12.4 },
    });
  });

  it('refuses frames above the documented limit', () => {
    expect(() => parseProbe(landscape({ width: MAX_SOURCE_SIDE + 2, height: 64 }))).toThrow(FrameTooLargeError);
    expect(() => parseProbe(landscape({ width: 7680, height: 4322 }))).toThrow(/7680x4322; the pipeline accepts at most 8192 pixels a side/);
    expect(parseProbe(landscape({ width: 7680, height: 4320 })).width).toBe(7680);
    expect(parseProbe(landscape({ width: 8192, height: 2 })).width).toBe(8192);
    expect(MAX_SOURCE_PIXELS).toBe(7680 * 4320);
  });

  it('an MP4 whose index holds no streams is a truncated upload, not "not a video"', () => {
    expect(() => parseProbe({ streams: [], format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2' } })).toThrow(TruncatedSourceError);
  });

  it('swaps the displayed size for 90/270 and keeps it for 180', () => {
    const p90 = parseProbe(landscape({ tags: { rotate: '90' } }));
    expect([p90.rotation, p90.width, p90.height, p90.displayWidth, p90.displayHeight]).toEqual([90, 1920, 1080, 1080, 1920]);
    const p270 = parseProbe(landscape({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] }));
    expect([p270.rotation, p270.displayWidth, p270.displayHeight]).toEqual([270, 1080, 1920]);
    const p180 = parseProbe(landscape({ tags: { rotate: '180' } }));
    expect([p180.rotation, p180.displayWidth, p180.displayHeight]).toEqual([180, 1920, 1080]);
  });

  it('applies a non-square sample aspect ratio to the displayed width', () => {
    const dv = parseProbe(landscape({ width: 720, height: 480, sample_aspect_ratio: '8:9' }));
    expect([dv.displayWidth, dv.displayHeight]).toEqual([640, 480]);
    const unknownSar = parseProbe(landscape({ width: 720, height: 480, sample_aspect_ratio: '0:1' }));
    expect(unknownSar.displayWidth).toBe(720);
  });

  it('takes the frame rate from avg_frame_rate, else r_frame_rate; uses the stream duration when the format has none', () => {
    const p = landscape({ avg_frame_rate: '0/0', r_frame_rate: '25/1' });
    delete p.format!.duration;
    const r = parseProbe(p);
    expect(r.frameRate).toBe(25);
    expect(r.durationSeconds).toBe(12.345);
  });

  it('a variable-rate source is encoded at the rate its timestamps are on, unless that rate is absurd', () => {
    expect(parseProbe(landscape({ r_frame_rate: '30/1', avg_frame_rate: '600/29' })).frameRate).toBe(30);
    expect(parseProbe(landscape({ r_frame_rate: '90000/1', avg_frame_rate: '24/1' })).frameRate).toBe(24);
  });

  it('a video without audio', () => {
    const r = parseProbe(landscape({}, false));
    expect(r.hasAudio).toBe(false);
    expect(r).not.toHaveProperty('audioCodec');
  });

  it('ignores cover art when looking for the video stream', () => {
    const mp3: FfprobeOutput = {
      streams: [
        { codec_type: 'audio', codec_name: 'mp3' },
        { codec_type: 'video', codec_name: 'mjpeg', width: 500, height: 500, disposition: { attached_pic: 1 } },
      ],
      format: { format_name: 'mp3', duration: '180' },
    };
    expect(() => parseProbe(mp3)).toThrow(NotAVideoError);
    expect(() => parseProbe(mp3)).toThrow('The upload is not a video: it has no video stream (only audio, video)');
  });

  it.each([
    ['no streams', { streams: [], format: { format_name: 'wav' } }, /no video stream \(format wav\)/],
    ['audio only', { streams: [{ codec_type: 'audio', codec_name: 'pcm_s16le' }], format: { format_name: 'wav', duration: '3' } }, /only audio/],
    ['a JPEG', { streams: [{ codec_type: 'video', codec_name: 'mjpeg', width: 10, height: 10, avg_frame_rate: '0/0', r_frame_rate: '25/1' }], format: { format_name: 'image2', duration: '0.04' } }, /image or text/],
    ['a PNG pipe', { streams: [{ codec_type: 'video', codec_name: 'png', width: 10, height: 10 }], format: { format_name: 'png_pipe' } }, /image or text/],
    ['no frame size', { streams: [{ codec_type: 'video', codec_name: 'h264', avg_frame_rate: '25/1' }], format: { format_name: 'mpegts', duration: '1' } }, /no frame size/],
    ['no duration', { streams: [{ codec_type: 'video', codec_name: 'h264', width: 2, height: 2, avg_frame_rate: '25/1' }], format: { format_name: 'h264' } }, /no duration/],
    ['no frame rate', { streams: [{ codec_type: 'video', codec_name: 'h264', width: 2, height: 2, avg_frame_rate: '0/0', r_frame_rate: '0/0' }], format: { format_name: 'matroska', duration: '2' } }, /frame rate/],
  ])('%s is NotAVideoError', (_name, probe, message) => {
    let error: unknown;
    try {
      parseProbe(probe as FfprobeOutput);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotAVideoError);
    expect((error as Error).name).toBe('NotAVideoError');
    expect((error as Error).message).toMatch(/^The upload is not a video: /);
    expect((error as Error).message).toMatch(message);
  });

  it('errors carry the names the workflow treats as non-retryable', () => {
    expect(new NotAVideoError('x').name).toBe('NotAVideoError');
    expect(new InvalidInputError('x').name).toBe('InvalidInputError');
    expect(new NotAVideoError('x')).toBeInstanceOf(Error);
  });
});

describe('traits', () => {
  it('variable frame rate: avg_frame_rate more than 2% from r_frame_rate', () => {
    expect(traitsOf({ r_frame_rate: '30/1', avg_frame_rate: '600/29' }).variableFrameRate).toBe(true);
    expect(traitsOf({ r_frame_rate: '30000/1001', avg_frame_rate: '2997/100' }).variableFrameRate).toBe(false);
    expect(traitsOf({ r_frame_rate: '25/1', avg_frame_rate: '0/0' }).variableFrameRate).toBe(false);
  });

  it('interlaced field orders', () => {
    for (const order of ['tt', 'bb', 'tb', 'bt']) expect(traitsOf({ field_order: order }).interlaced).toBe(true);
    for (const order of ['progressive', 'unknown', undefined]) expect(traitsOf({ ...(order ? { field_order: order } : {}) }).interlaced).toBe(false);
  });

  it('HDR transfers and bit depth', () => {
    expect(traitsOf({ color_transfer: 'smpte2084', pix_fmt: 'yuv420p10le' })).toMatchObject({ hdr: true, bitDepth: 10, pixelFormat: 'yuv420p10le' });
    expect(traitsOf({ color_transfer: 'arib-std-b67' }).hdr).toBe(true);
    expect(traitsOf({ color_transfer: 'bt709', pix_fmt: 'yuv420p' })).toMatchObject({ hdr: false, bitDepth: 8 });
    expect([bitDepthOf('yuv422p12be'), bitDepthOf('nv12'), bitDepthOf(undefined)]).toEqual([12, 8, 8]);
  });
});

describe('damage check', () => {
  const probed = (durationSeconds: number, frameRate = 30): ProbedSource => ({ ...parseProbe(landscape({ avg_frame_rate: `${frameRate}/1`, r_frame_rate: `${frameRate}/1` })), durationSeconds });

  it('reads the packets of the last seconds only', () => {
    expect(tailScanArgs('https://bucket/key?sig', 7)).toEqual(['-read_intervals', '7.000%+1000000', '-show_entries', 'packet=stream_index,pts_time,dts_time,duration_time', 'https://bucket/key?sig']);
    expect(tailScanArgs('/w/source', -2)[1]).toBe('0.000%+1000000');
  });

  it('the media ends at the latest packet end of the audio and video streams, from the start time', () => {
    const packets = [
      { stream_index: 0, pts_time: '1.400000', duration_time: '0.033333' },
      { stream_index: 1, pts_time: '1.420000', duration_time: '0.021333' },
      { stream_index: 2, pts_time: '9.000000', duration_time: '1' },
      { stream_index: 0, pts_time: 'N/A' },
    ];
    expect(mediaEnd(packets, new Set([0, 1]), 0.4)).toBeCloseTo(1.041333, 6);
    // A B-frame packet in AVI has a dts and no pts.
    expect(mediaEnd([...packets, { stream_index: 0, pts_time: 'N/A', dts_time: '1.5', duration_time: '0.04' }], new Set([0, 1]), 0.4)).toBeCloseTo(1.14, 6);
    expect(mediaEnd([], new Set([0]))).toBeUndefined();
  });

  it("the demo's interrupted upload: container 10 s, media 0.83 s", () => {
    expect(() => checkDecodable(probed(10), 0.833)).toThrow(TruncatedSourceError);
    expect(() => checkDecodable(probed(10), 0.833)).toThrow('The upload is cut off: its container says 10.00 s but its media ends at 0.83 s (8% of it)');
    expect(() => checkDecodable(probed(10), undefined)).toThrow(/holds no readable media/);
  });

  it('within the tolerance the duration becomes the media end; within a frame it stays', () => {
    expect(checkDecodable(probed(10), 10).durationSeconds).toBe(10);
    expect(checkDecodable(probed(10), 9.98).durationSeconds).toBe(10);
    const short = checkDecodable(probed(10), 9.8);
    expect([short.durationSeconds, short.traits?.decodableSeconds]).toEqual([9.8, 9.8]);
    expect(() => checkDecodable(probed(10), 9.7)).toThrow(TruncatedSourceError);
  });
});

describe('probe command lines', () => {
  it('ffprobe shows format and streams', () => {
    expect(probeArgs('/w/source')).toEqual(['-show_format', '-show_streams', '/w/source']);
  });

  it('the crash fallback copies audio and video into Matroska', () => {
    expect(remuxForProbeArgs('/w/source', '/w/source.probe.mkv')).toEqual([
      '-hide_banner', '-nostdin', '-y', '-i', '/w/source', '-map', '0:v?', '-map', '0:a?', '-c', 'copy', '-t', '5', '-f', 'matroska', '/w/source.probe.mkv',
    ]);
  });

  it("the crash fallback takes the duration and start from ffmpeg's banner", () => {
    const banner = "Input #0, mpegts, from 'in.ts':\n  Duration: 01:02:03.45, start: 1.400000, bitrate: 2983 kb/s\n    Stream #0:0[0x100]: Video: h264";
    expect(bannerTiming(banner)).toEqual({ durationSeconds: 3723.45, startSeconds: 1.4 });
    expect(bannerTiming('  Duration: N/A, bitrate: N/A')).toEqual({});
    expect(bannerTiming('nothing')).toEqual({});
  });
});
