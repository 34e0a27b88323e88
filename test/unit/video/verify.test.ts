import type { ProbeResult, TranscodeResult } from '../../../lib/video/contracts';
import { OutputInvalidError, OutputTooShortError } from '../../../lib/video/errors';
import type { FfprobeOutput } from '../../../lib/video/probe';
import { assertVerified, audioPacketSeconds, durationTolerance, verifyOutputs, verifyRendition, type RenditionOutputs } from '../../../lib/video/verify';

const source: ProbeResult = {
  durationSeconds: 10,
  width: 1280,
  height: 720,
  rotation: 0,
  displayWidth: 1280,
  displayHeight: 720,
  frameRate: 30,
  videoCodec: 'h264',
  hasAudio: true,
  audioCodec: 'aac',
  sizeBytes: 3_000_000,
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
};

const result = (segmentCount = 3): TranscodeResult => ({
  rendition: { name: '720p', width: 1280, height: 720, videoBitrateKbps: 2800, maxBitrateKbps: 2996, bufferSizeKbits: 4200, audioBitrateKbps: 128 },
  mp4: { key: 'v/renditions/720p.mp4', sizeBytes: 1, sha256: 'a'.repeat(64), width: 1280, height: 720, durationSeconds: 10, bitRate: 1 },
  hls: { playlist: { key: 'v/hls/720p/index.m3u8', sizeBytes: 1, sha256: 'a'.repeat(64) }, segmentCount, segmentBytes: 1, bandwidth: 1, averageBandwidth: 1, codecs: 'avc1.64001f,mp4a.40.2' },
  elapsedMs: 1,
});

function mp4(opts: { video?: number; audio?: number | null; frames?: number; fps?: string } = {}): FfprobeOutput {
  const video = opts.video ?? 10;
  const audio = opts.audio === undefined ? 10.005 : opts.audio;
  const streams: FfprobeOutput['streams'] = [
    { index: 0, codec_type: 'video', codec_name: 'h264', width: 1280, height: 720, avg_frame_rate: opts.fps ?? '30/1', duration: String(video), nb_frames: String(opts.frames ?? Math.round(video * 30)) },
  ];
  if (audio !== null) streams.push({ index: 1, codec_type: 'audio', codec_name: 'aac', duration: String(audio), nb_frames: String(Math.round((audio * 48000) / 1024)) });
  return { streams, format: { duration: String(Math.max(video, audio ?? 0)) } };
}

function playlist(durations: number[], opts: { endList?: boolean; target?: number } = {}): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${opts.target ?? 4}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  durations.forEach((d, n) => lines.push(`#EXTINF:${d.toFixed(6)},`, `segment_${n}.ts`));
  if (opts.endList !== false) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

const good = (): RenditionOutputs => ({ result: result(), mp4: mp4(), playlist: playlist([4, 4, 2]) });
const reasons = (out: RenditionOutputs, src: ProbeResult = source) => verifyRendition(src, out).map((p) => [p.reason, p.message]);

describe('tolerances', () => {
  it('one frame plus one audio packet', () => {
    expect(durationTolerance(30, 1024 / 48000)).toBeCloseTo(1 / 30 + 1024 / 48000 + 0.002, 6);
    expect(durationTolerance(25)).toBeCloseTo(0.042, 6);
  });

  it("an audio packet's length comes from the stream, else from AAC's 1024 samples", () => {
    expect(audioPacketSeconds({ duration: '10', nb_frames: '500' })).toBeCloseTo(0.02, 6);
    expect(audioPacketSeconds({ sample_rate: '44100' })).toBeCloseTo(1024 / 44100, 6);
  });
});

describe('verifyRendition', () => {
  it('passes a complete rendition', () => {
    expect(verifyRendition(source, good())).toEqual([]);
  });

  it('passes one frame short, fails two frames short as OutputTooShort', () => {
    const oneFrame = { ...good(), mp4: mp4({ video: 10 - 1 / 30, audio: 10 - 1 / 30 }), playlist: playlist([4, 4, 2 - 1 / 30]) };
    expect(verifyRendition(source, oneFrame)).toEqual([]);
    const short = { ...good(), mp4: mp4({ video: 9.9, audio: 9.9 }), playlist: playlist([4, 4, 1.9]) };
    expect(reasons(short)).toEqual([['OutputTooShort', '720p: the MP4 lasts 9.900 s but its source 10.000 s (0.100 s missing)']]);
  });

  it("the demo's truncated upload: 0.83 s of a 10 s source", () => {
    const cut = { result: result(1), mp4: mp4({ video: 0.833, audio: 0.853 }), playlist: playlist([0.833]) };
    expect(reasons(cut)[0]).toEqual(['OutputTooShort', '720p: the MP4 lasts 0.853 s but its source 10.000 s (9.147 s missing)']);
  });

  it('an output longer than its source', () => {
    expect(reasons({ ...good(), mp4: mp4({ video: 10.5, audio: 10.5 }), playlist: playlist([4, 4, 2.5]) })).toEqual([['OutputInvalid', '720p: the MP4 lasts 10.500 s, longer than its source (10.000 s)']]);
  });

  it('a frame count the frame rate does not explain', () => {
    expect(reasons({ ...good(), mp4: mp4({ frames: 150 }) })).toEqual([['OutputInvalid', '720p: the MP4 has 150 frames; 10.000 s at 30.000 fps holds 300']]);
  });

  it('lost audio', () => {
    expect(reasons({ ...good(), mp4: mp4({ audio: null }) })).toEqual([['OutputInvalid', '720p: the MP4 has no audio but its source has']]);
    expect(verifyRendition({ ...source, hasAudio: false }, { ...good(), mp4: mp4({ audio: null }) })).toEqual([]);
  });

  it('no video stream', () => {
    expect(reasons({ ...good(), mp4: { streams: [], format: { duration: '10' } } })).toEqual([['OutputInvalid', '720p: the MP4 has no video stream']]);
  });

  it('HLS segments that do not add up to the MP4', () => {
    expect(reasons({ ...good(), playlist: playlist([4, 4]), result: result(2) })).toEqual([['OutputTooShort', "720p: its HLS segments add up to 8.000 s, the MP4's video to 10.000 s"]]);
    expect(reasons({ ...good(), playlist: playlist([4, 4, 2]), result: result(4) })).toEqual([['OutputInvalid', '720p: its HLS playlist lists 3 segments, transcode reported 4']]);
  });

  it('HLS playlists that are not complete, parseable VOD playlists', () => {
    expect(reasons({ ...good(), playlist: 'hello' })).toEqual([['OutputInvalid', '720p: its HLS playlist cannot be read (not an HLS playlist: it does not start with #EXTM3U)']]);
    expect(reasons({ ...good(), playlist: playlist([4, 4, 2], { endList: false }) })).toEqual([['OutputInvalid', '720p: its HLS playlist has no #EXT-X-ENDLIST (not a complete VOD playlist)']]);
    expect(reasons({ ...good(), playlist: playlist([6, 4], { target: 4 }), result: result(2) })[0]).toEqual(['OutputInvalid', '720p: HLS segment 0 lasts 6.000 s, over #EXT-X-TARGETDURATION 4']);
    expect(reasons({ ...good(), playlist: playlist([], {}), result: result(0) })).toEqual([['OutputInvalid', '720p: its HLS playlist has no segments']]);
  });
});

describe('assertVerified', () => {
  it('passes no problems', () => {
    expect(() => assertVerified(verifyOutputs(source, [good(), good()]))).not.toThrow();
  });

  it('OutputTooShortError when any output is cut short, naming every problem', () => {
    const problems = verifyOutputs(source, [{ ...good(), mp4: mp4({ audio: null }) }, { ...good(), mp4: mp4({ video: 5, audio: 5 }), playlist: playlist([4, 1]), result: result(2) }]);
    expect(() => assertVerified(problems)).toThrow(OutputTooShortError);
    expect(() => assertVerified(problems)).toThrow(/no audio.*; 720p: the MP4 lasts 5\.000 s/);
  });

  it('OutputInvalidError otherwise', () => {
    const error = (() => {
      try {
        assertVerified(verifyOutputs(source, [{ ...good(), mp4: mp4({ audio: null }) }]));
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(OutputInvalidError);
    expect(error?.name).toBe('OutputInvalidError');
    expect(error?.message).toBe('Output verification failed: 720p: the MP4 has no audio but its source has');
  });
});
