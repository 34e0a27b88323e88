import { parseRange, servedContentType } from '../../../lib/api';

describe('local server helpers', () => {
  it('parseRange: one byte range, open-ended or suffix; unsatisfiable past the end; anything else ignored', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-4', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
    expect(parseRange('bytes=-', 100)).toBeUndefined();
  });

  it('servedContentType: by extension first, then the stored type', () => {
    expect(servedContentType('v/hls/master.m3u8', 'text/plain')).toBe('application/vnd.apple.mpegurl');
    expect(servedContentType('v/hls/720p/segment_00001.ts', undefined)).toBe('video/mp2t');
    expect(servedContentType('v/renditions/720p.mp4', undefined)).toBe('video/mp4');
    expect(servedContentType('v/thumbnails/poster.jpg', undefined)).toBe('image/jpeg');
    expect(servedContentType('v/thumbnails/thumbnails.vtt', undefined)).toBe('text/vtt; charset=utf-8');
    expect(servedContentType('v/manifest.json', undefined)).toBe('application/json');
    expect(servedContentType('v/source', 'video/quicktime')).toBe('video/quicktime');
    expect(servedContentType('v.dir/source', undefined)).toBe('application/octet-stream');
  });
});
