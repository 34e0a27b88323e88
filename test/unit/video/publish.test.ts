import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobInfo, BlobStore, PresignedRequest } from '../../../lib/storage/blob-store';
import { BlobNotFoundError } from '../../../lib/storage/blob-store';
import { keys, type Manifest, type ProbeResult, type PublishInput, type ThumbnailsResult, type TranscodeResult } from '../../../lib/video/contracts';
import { InvalidInputError, OutputInvalidError, OutputTooShortError } from '../../../lib/video/errors';
import type { FfprobeOutput } from '../../../lib/video/probe';
import { buildManifest, buildMasterPlaylist, orderRenditions, publish, validatePublishInput } from '../../../lib/video/publish';

/** A BlobStore in memory: enough for publish. */
class MemoryStore implements BlobStore {
  readonly objects = new Map<string, { body: Buffer; contentType?: string }>();
  async putFile(): Promise<BlobInfo> {
    throw new Error('not used');
  }
  async putBuffer(key: string, body: Buffer | string, contentType?: string): Promise<BlobInfo> {
    const b = Buffer.from(body);
    this.objects.set(key, { body: b, ...(contentType ? { contentType } : {}) });
    return { key, sizeBytes: b.length, ...(contentType ? { contentType } : {}) };
  }
  async putStream(): Promise<BlobInfo> {
    throw new Error('not used');
  }
  async getFile(): Promise<void> {
    throw new Error('not used');
  }
  async getBuffer(key: string): Promise<Buffer> {
    const o = this.objects.get(key);
    if (!o) throw new BlobNotFoundError(key);
    return o.body;
  }
  async getStream(key: string): Promise<Readable> {
    return Readable.from([await this.getBuffer(key)]);
  }
  async head(key: string): Promise<BlobInfo | undefined> {
    const o = this.objects.get(key);
    return o ? { key, sizeBytes: o.body.length } : undefined;
  }
  async list(prefix: string): Promise<BlobInfo[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).map((key) => ({ key, sizeBytes: this.objects.get(key)!.body.length }));
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async presignGet(): Promise<PresignedRequest> {
    throw new Error('not used');
  }
  async presignPut(): Promise<PresignedRequest> {
    throw new Error('not used');
  }
}

const VID = 'vid-1';
const file = (key: string, sizeBytes = 100) => ({ key, sizeBytes, sha256: 'a'.repeat(64) });

function rendition(name: string, width: number, height: number, bandwidth: number): TranscodeResult {
  return {
    rendition: { name, width, height, videoBitrateKbps: bandwidth / 1000, maxBitrateKbps: bandwidth / 800, bufferSizeKbits: bandwidth / 500, audioBitrateKbps: 128 },
    mp4: { ...file(keys.mp4(VID, name), 5000), width, height, durationSeconds: 10.02, bitRate: bandwidth * 0.9 },
    hls: {
      playlist: file(keys.hlsPlaylist(VID, name), 300),
      segmentCount: 3,
      segmentBytes: 3000,
      bandwidth,
      averageBandwidth: Math.round(bandwidth * 0.8),
      codecs: 'avc1.64001f,mp4a.40.2',
    },
    elapsedMs: 1234,
  };
}

const probe: ProbeResult = {
  durationSeconds: 10,
  width: 1920,
  height: 1080,
  rotation: 90,
  displayWidth: 1080,
  displayHeight: 1920,
  frameRate: 29.97,
  videoCodec: 'h264',
  hasAudio: true,
  audioCodec: 'aac',
  bitRate: 8_000_000,
  sizeBytes: 10_000_000,
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
};

const thumbs: ThumbnailsResult = {
  poster: { ...file(keys.poster(VID)), width: 720, height: 1280 },
  sprite: { ...file(keys.sprite(VID)), width: 1600, height: 284, columns: 10, rows: 1, tileWidth: 160, tileHeight: 284 },
  vtt: file(keys.vtt(VID)),
  intervalSeconds: 1,
  count: 10,
  elapsedMs: 500,
};

const input: PublishInput = {
  videoId: VID,
  source: { key: 'vid-1/source', fileName: 'clip.mov', probe },
  renditions: [rendition('360p', 360, 640, 900_000), rendition('720p', 720, 1280, 3_100_000), rendition('540p', 540, 960, 2_000_000)],
  thumbnails: thumbs,
  timings: { probe: { scheduledAt: 1, closedAt: 2, attempts: 1 } },
};

describe('master playlist', () => {
  it('lists every rendition, highest first, with relative URIs', () => {
    expect(buildMasterPlaylist(VID, input.renditions, 29.97)).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=3100000,AVERAGE-BANDWIDTH=2480000,RESOLUTION=720x1280,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=29.970',
        '720p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=2000000,AVERAGE-BANDWIDTH=1600000,RESOLUTION=540x960,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=29.970',
        '540p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=720000,RESOLUTION=360x640,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=29.970',
        '360p/index.m3u8',
        '',
      ].join('\n'),
    );
  });

  it('orders ties by frame size', () => {
    const a = rendition('a', 640, 360, 1000);
    const b = rendition('b', 1280, 720, 1000);
    expect(orderRenditions([a, b]).map((r) => r.rendition.name)).toEqual(['b', 'a']);
  });
});

describe('manifest', () => {
  it('records source, renditions (highest first), HLS, thumbnails and timings', () => {
    const m: Manifest = buildManifest(input, new Date('2030-01-02T03:04:05Z'));
    expect(m.videoId).toBe(VID);
    expect(m.createdAt).toBe('2030-01-02T03:04:05.000Z');
    expect(m.source).toEqual({ key: 'vid-1/source', fileName: 'clip.mov', durationSeconds: 10, width: 1920, height: 1080, rotation: 90, sizeBytes: 10_000_000 });
    expect(m.renditions.map((r) => r.name)).toEqual(['720p', '540p', '360p']);
    expect(m.renditions[0]).toEqual({
      name: '720p',
      width: 720,
      height: 1280,
      bitrateKbps: 2790,
      durationSeconds: 10.02,
      mp4: file(keys.mp4(VID, '720p'), 5000),
      hls: { playlist: file(keys.hlsPlaylist(VID, '720p'), 300), segmentCount: 3 },
    });
    expect(m.hls).toEqual({ masterPlaylist: 'vid-1/hls/master.m3u8' });
    expect(m.thumbnails).toEqual({ poster: file(keys.poster(VID)), sprite: file(keys.sprite(VID)), vtt: file(keys.vtt(VID)), intervalSeconds: 1, count: 10 });
    expect(m.timings).toEqual(input.timings);
  });

  it('leaves fileName out when unknown', () => {
    const { fileName: _drop, ...source } = input.source;
    expect(buildManifest({ ...input, source }, new Date(0)).source).not.toHaveProperty('fileName');
  });
});

/** A media playlist of `segments` 4 s segments and a last one making up `seconds`. */
function playlistOf(seconds: number, segments = 3): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD'];
  for (let n = 0; n < segments; n++) lines.push(`#EXTINF:${n < segments - 1 ? 4 : seconds - 4 * (segments - 1)},`, `segment_${n}.ts`);
  return [...lines, '#EXT-X-ENDLIST', ''].join('\n');
}

/** What ffprobe says of a rendition MP4 of `seconds` at 29.97 fps with AAC audio. */
function mp4Probe(seconds: number): FfprobeOutput {
  return {
    streams: [
      { index: 0, codec_type: 'video', codec_name: 'h264', width: 720, height: 1280, avg_frame_rate: '30000/1001', duration: String(seconds), nb_frames: String(Math.round(seconds * 29.97)) },
      { index: 1, codec_type: 'audio', codec_name: 'aac', duration: String(seconds), nb_frames: String(Math.round((seconds * 48000) / 1024)) },
    ],
    format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: String(seconds) },
  };
}

describe('publish step', () => {
  const probed: string[] = [];
  const probeStored = async (_media: BlobStore, key: string) => {
    probed.push(key);
    return mp4Probe(key.includes('360p') ? shortBy360p : 10);
  };
  let shortBy360p = 10;
  beforeEach(() => {
    probed.length = 0;
    shortBy360p = 10;
  });

  function storeWithOutputs(): MemoryStore {
    const store = new MemoryStore();
    for (const r of input.renditions) {
      void store.putBuffer(r.mp4.key, 'mp4');
      void store.putBuffer(r.hls.playlist.key, playlistOf(10));
    }
    for (const k of [thumbs.poster.key, thumbs.sprite.key, thumbs.vtt.key]) void store.putBuffer(k, 'x');
    return store;
  }

  it('writes master.m3u8 and manifest.json and describes them', async () => {
    const media = storeWithOutputs();
    const result = await publish(input, { media }, { now: () => new Date('2030-01-01T00:00:00Z'), probeStored });
    expect(probed.sort()).toEqual(input.renditions.map((r) => r.mp4.key).sort());
    const master = media.objects.get(keys.hlsMaster(VID))!;
    const manifest = media.objects.get(keys.manifest(VID))!;
    expect(master.contentType).toBe('application/vnd.apple.mpegurl');
    expect(manifest.contentType).toBe('application/json');
    expect(master.body.toString()).toBe(buildMasterPlaylist(VID, input.renditions, 29.97));
    expect(JSON.parse(manifest.body.toString())).toEqual(buildManifest(input, new Date('2030-01-01T00:00:00Z')));
    expect(result).toEqual({
      masterPlaylist: { key: 'vid-1/hls/master.m3u8', sizeBytes: master.body.length, sha256: createHash('sha256').update(master.body).digest('hex') },
      manifest: { key: 'vid-1/manifest.json', sizeBytes: manifest.body.length, sha256: createHash('sha256').update(manifest.body).digest('hex') },
    });
  });

  it('refuses to publish when a named file is missing', async () => {
    const media = storeWithOutputs();
    await media.delete(keys.hlsPlaylist(VID, '540p'));
    await expect(publish(input, { media }, { probeStored })).rejects.toThrow(InvalidInputError);
    await expect(publish(input, { media }, { probeStored })).rejects.toThrow('vid-1/hls/540p/index.m3u8');
    expect(media.objects.has(keys.manifest(VID))).toBe(false);
  });

  it('publishes nothing when a rendition is shorter than its source (OutputTooShortError)', async () => {
    const media = storeWithOutputs();
    shortBy360p = 0.833;
    const error = await publish(input, { media }, { probeStored }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(OutputTooShortError);
    expect((error as Error).message).toMatch(/360p: the MP4 lasts 0\.833 s but its source 10\.000 s/);
    expect(media.objects.has(keys.manifest(VID))).toBe(false);
    expect(media.objects.has(keys.hlsMaster(VID))).toBe(false);
  });

  it('publishes nothing when a playlist is unreadable (OutputInvalidError)', async () => {
    const media = storeWithOutputs();
    await media.putBuffer(keys.hlsPlaylist(VID, '540p'), '<html>not a playlist</html>');
    await expect(publish(input, { media }, { probeStored })).rejects.toThrow(OutputInvalidError);
    await expect(publish(input, { media }, { probeStored })).rejects.toThrow(/540p: its HLS playlist cannot be read/);
    expect(media.objects.has(keys.manifest(VID))).toBe(false);
  });

  it('validates its input', () => {
    expect(() => validatePublishInput({ ...input, renditions: [] })).toThrow(/non-empty/);
    expect(() => validatePublishInput({ ...input, videoId: '' })).toThrow(InvalidInputError);
    expect(() => validatePublishInput({ ...input, renditions: [input.renditions[0]!, input.renditions[0]!] })).toThrow(/twice/);
    const foreign = rendition('1080p', 1080, 1920, 5_000_000);
    foreign.mp4.key = 'other/renditions/1080p.mp4';
    expect(() => validatePublishInput({ ...input, renditions: [foreign] })).toThrow(/not under vid-1/);
  });
});
