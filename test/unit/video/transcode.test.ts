import type { Rendition, TranscodeInput } from '../../../lib/video/contracts';
import { hlsMuxArgs } from '../../../lib/video/hls-ship';
import { HLS_SEGMENT_SECONDS } from '../../../lib/video/definition';
import { InvalidInputError } from '../../../lib/video/errors';
import {
  aacCodecString,
  avcCodecString,
  buildMediaPlaylist,
  codecsString,
  encodeArgs,
  forceKeyFramesExpr,
  gopFrames,
  parseHexDump,
  parseMediaPlaylist,
  segmentBandwidth,
  validateTranscodeInput,
} from '../../../lib/video/transcode';
import { relativeUri } from '../../../lib/video/step-support';

const r720: Rendition = { name: '720p', width: 1280, height: 720, videoBitrateKbps: 3000, maxBitrateKbps: 3600, bufferSizeKbits: 6000, audioBitrateKbps: 128 };

/** The value following `flag` in an argument list. */
function arg(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

describe('keyframe grid', () => {
  it('GOP = frames per segment', () => {
    expect(gopFrames(30, 4)).toBe(120);
    expect(gopFrames(29.97, 4)).toBe(120);
    expect(gopFrames(25, 4)).toBe(100);
    expect(gopFrames(23.976, 6)).toBe(144);
    expect(gopFrames(0.1, 1)).toBe(1);
  });

  it('forces a keyframe at every multiple of the segment length', () => {
    expect(forceKeyFramesExpr(4)).toBe('expr:gte(t,n_forced*4)');
    expect(forceKeyFramesExpr(HLS_SEGMENT_SECONDS)).toBe(`expr:gte(t,n_forced*${HLS_SEGMENT_SECONDS})`);
  });
});

describe('encodeArgs', () => {
  const args = encodeArgs({ source: '/w/source', output: '/w/720p.mp4', rendition: r720, frameRate: 30, hasAudio: true, segmentSeconds: 4 });

  it('encodes H.264 High with the rendition size and rate control', () => {
    expect(arg(args, '-i')).toBe('/w/source');
    expect(arg(args, '-vf')).toBe('scale=1280:720,setsar=1,format=yuv420p');
    expect(arg(args, '-c:v')).toBe('libx264');
    expect(arg(args, '-preset')).toBe('veryfast');
    expect(arg(args, '-profile:v')).toBe('high');
    expect(arg(args, '-pix_fmt')).toBe('yuv420p');
    expect(arg(args, '-b:v')).toBe('3000k');
    expect(arg(args, '-maxrate')).toBe('3600k');
    expect(arg(args, '-bufsize')).toBe('6000k');
  });

  it('puts keyframes on the segment grid and nowhere else', () => {
    expect(arg(args, '-g')).toBe('120');
    expect(arg(args, '-keyint_min')).toBe('120');
    expect(arg(args, '-sc_threshold')).toBe('0');
    expect(arg(args, '-force_key_frames')).toBe('expr:gte(t,n_forced*4)');
  });

  it('relies on auto-rotation (no -noautorotate) and writes no rotation or source metadata', () => {
    expect(args).not.toContain('-noautorotate');
    expect(arg(args, '-metadata:s:v:0')).toBe('rotate=0');
    expect(arg(args, '-map_metadata')).toBe('-1');
  });

  it('maps the first video and audio streams, AAC stereo at the rendition rate, faststart MP4 last', () => {
    expect(args.filter((a, i) => args[i - 1] === '-map')).toEqual(['0:v:0', '0:a:0']);
    expect(arg(args, '-c:a')).toBe('aac');
    expect(arg(args, '-b:a')).toBe('128k');
    expect(arg(args, '-ac')).toBe('2');
    expect(arg(args, '-ar')).toBe('48000');
    expect(arg(args, '-movflags')).toBe('+faststart');
    expect(arg(args, '-f')).toBe('mp4');
    expect(args[args.length - 1]).toBe('/w/720p.mp4');
  });

  it('without audio: no audio map, -an; the preset is configurable', () => {
    const silent = encodeArgs({ source: 's', output: 'o.mp4', rendition: r720, frameRate: 25, hasAudio: false, segmentSeconds: 6, preset: 'ultrafast' });
    expect(silent.filter((a, i) => silent[i - 1] === '-map')).toEqual(['0:v:0']);
    expect(silent).toContain('-an');
    expect(silent).not.toContain('-c:a');
    expect(arg(silent, '-preset')).toBe('ultrafast');
    expect(arg(silent, '-g')).toBe('150');
    expect(arg(silent, '-force_key_frames')).toBe('expr:gte(t,n_forced*6)');
  });

  it('a thread cap holds for the decoder and filters (before -i) as well as x264 (after)', () => {
    const capped = encodeArgs({ source: 's', output: 'o.mp4', rendition: r720, frameRate: 25, hasAudio: false, segmentSeconds: 4, threads: 1 });
    const input = capped.indexOf('-i');
    expect(capped.slice(0, input)).toEqual(['-threads', '1', '-filter_threads', '1']);
    expect(capped.slice(input).filter((a, i, all) => all[i - 1] === '-threads')).toEqual(['1']);
    const free = encodeArgs({ source: 's', output: 'o.mp4', rendition: r720, frameRate: 25, hasAudio: false, segmentSeconds: 4 });
    expect(free).not.toContain('-threads');
    expect(free).not.toContain('-filter_threads');
  });
});

describe('hlsMuxArgs', () => {
  it('cuts numbered segments and rewrites an EVENT playlist after each one, so finished segments can ship at once', () => {
    const args = hlsMuxArgs({ playlist: '/w/hls/index.m3u8', segmentPattern: '/w/hls/segment_%05d.ts', segmentSeconds: 4 });
    expect(args).toEqual([
      '-f', 'hls',
      '-hls_time', '4',
      '-hls_playlist_type', 'event',
      '-hls_list_size', '0',
      '-start_number', '0',
      '-hls_segment_filename', '/w/hls/segment_%05d.ts',
      '/w/hls/index.m3u8',
    ]);
  });
});

describe('media playlists', () => {
  const ffmpegPlaylist = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:4',
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXTINF:4.000000,',
    'segment_00000.ts',
    '#EXTINF:4.004000,',
    'segment_00001.ts',
    '#EXTINF:1.500000,',
    'segment_00002.ts',
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');

  it('parses what ffmpeg writes', () => {
    expect(parseMediaPlaylist(ffmpegPlaylist)).toEqual({
      version: 3,
      targetDuration: 4,
      mediaSequence: 0,
      playlistType: 'VOD',
      endList: true,
      segments: [
        { durationSeconds: 4, uri: 'segment_00000.ts' },
        { durationSeconds: 4.004, uri: 'segment_00001.ts' },
        { durationSeconds: 1.5, uri: 'segment_00002.ts' },
      ],
    });
  });

  it('refuses what is not a playlist', () => {
    expect(() => parseMediaPlaylist('hello')).toThrow(/#EXTM3U/);
    expect(() => parseMediaPlaylist('#EXTM3U\nsegment.ts')).toThrow(/without #EXTINF/);
  });

  it('writes a VOD playlist whose target duration covers every segment', () => {
    const text = buildMediaPlaylist([
      { durationSeconds: 4, uri: 'segment_00000.ts' },
      { durationSeconds: 4.4, uri: 'segment_00001.ts' },
      { durationSeconds: 0.5, uri: 'segment_00002.ts' },
    ]);
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:4',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXTINF:4.000000,',
        'segment_00000.ts',
        '#EXTINF:4.400000,',
        'segment_00001.ts',
        '#EXTINF:0.500000,',
        'segment_00002.ts',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
    const round = parseMediaPlaylist(text);
    expect(round.segments.map((s) => s.uri)).toEqual(['segment_00000.ts', 'segment_00001.ts', 'segment_00002.ts']);
    expect(buildMediaPlaylist([{ durationSeconds: 4.6, uri: 'a.ts' }])).toContain('#EXT-X-TARGETDURATION:5');
  });

  it('relative URIs between keys', () => {
    expect(relativeUri('v/hls/360p/index.m3u8', 'v/hls/360p/segment_00000.ts')).toBe('segment_00000.ts');
    expect(relativeUri('v/hls/master.m3u8', 'v/hls/360p/index.m3u8')).toBe('360p/index.m3u8');
    expect(relativeUri('v/thumbnails/thumbnails.vtt', 'v/thumbnails/sprite.jpg')).toBe('sprite.jpg');
    expect(relativeUri('v/a/b/x', 'v/c/y')).toBe('../../c/y');
  });
});

describe('segmentBandwidth', () => {
  it('BANDWIDTH is the peak segment rate, AVERAGE-BANDWIDTH the overall rate', () => {
    const bw = segmentBandwidth([
      { sizeBytes: 500_000, durationSeconds: 4 }, // 1,000,000 bps
      { sizeBytes: 1_000_000, durationSeconds: 4 }, // 2,000,000 bps
      { sizeBytes: 100_000, durationSeconds: 2 }, // 400,000 bps
    ]);
    expect(bw).toEqual({ bandwidth: 2_000_000, averageBandwidth: 1_280_000 });
  });

  it('handles empty input', () => {
    expect(segmentBandwidth([])).toEqual({ bandwidth: 0, averageBandwidth: 0 });
  });
});

describe('codec strings', () => {
  it('parses ffprobe hex dumps', () => {
    const dump = '\n00000000: 0164 001f ffe1 001a 6764 001e acd9 40a0  .d......gd....@.\n00000010: 2ff9 70                                 /.p\n';
    expect(parseHexDump(dump).toString('hex')).toBe('0164001fffe1001a6764001eacd940a02ff970');
    expect(parseHexDump(undefined).length).toBe(0);
  });

  it('avc1 from the avcC box', () => {
    expect(avcCodecString({ extradata: '\n00000000: 0164 001f ffe1 001a 6764 001e acd9 40a0  .d......gd....@.\n' })).toBe('avc1.64001f');
    expect(avcCodecString({ extradata: '\n00000000: 0142 e01e ffe1                           .B....\n' })).toBe('avc1.42e01e');
  });

  it('avc1 from profile and level when there is no avcC', () => {
    expect(avcCodecString({ profile: 'High', level: 31 })).toBe('avc1.64001f');
    expect(avcCodecString({ profile: 'Main', level: 40 })).toBe('avc1.4d0028');
    expect(avcCodecString({ profile: 'Constrained Baseline', level: 30 })).toBe('avc1.42401e');
  });

  it('mp4a from the AudioSpecificConfig or the profile', () => {
    expect(aacCodecString({ extradata: '\n00000000: 1190                                     ..\n' })).toBe('mp4a.40.2');
    expect(aacCodecString({ extradata: '\n00000000: 2b92 0800                                +...\n' })).toBe('mp4a.40.5');
    expect(aacCodecString({ profile: 'LC' })).toBe('mp4a.40.2');
    expect(aacCodecString({ profile: 'HE-AAC' })).toBe('mp4a.40.5');
    expect(aacCodecString({ profile: 'HE-AACv2' })).toBe('mp4a.40.29');
  });

  it('joins video and audio', () => {
    expect(
      codecsString({
        streams: [
          { codec_type: 'video', codec_name: 'h264', profile: 'High', level: 30 },
          { codec_type: 'audio', codec_name: 'aac', profile: 'LC' },
        ],
      }),
    ).toBe('avc1.64001e,mp4a.40.2');
    expect(codecsString({ streams: [{ codec_type: 'video', codec_name: 'h264', profile: 'High', level: 30 }] })).toBe('avc1.64001e');
  });
});

describe('validateTranscodeInput', () => {
  const good: TranscodeInput = { videoId: 'vid-1', sourceKey: 'vid-1/source', rendition: r720, frameRate: 30, hasAudio: true, segmentSeconds: 4 };

  it('accepts a well-formed input', () => {
    expect(validateTranscodeInput(good)).toBe(good);
  });

  it.each([
    ['a bad video id', { videoId: '../x' }, /videoId/],
    ['a bad key', { sourceKey: '../../etc/passwd' }, /sourceKey/],
    ['an odd width', { rendition: { ...r720, width: 1279 } }, /even/],
    ['a zero bitrate', { rendition: { ...r720, videoBitrateKbps: 0 } }, /videoBitrateKbps/],
    ['a bad rendition name', { rendition: { ...r720, name: '../720p' } }, /rendition.name/],
    ['a missing frame rate', { frameRate: undefined }, /frameRate/],
    ['a non-boolean hasAudio', { hasAudio: 'yes' }, /hasAudio/],
    ['a tiny segment length', { segmentSeconds: 0.1 }, /segmentSeconds/],
  ])('refuses %s with InvalidInputError', (_name, change, message) => {
    const input = { ...good, ...change } as unknown as TranscodeInput;
    expect(() => validateTranscodeInput(input)).toThrow(InvalidInputError);
    expect(() => validateTranscodeInput(input)).toThrow(message);
  });
});
