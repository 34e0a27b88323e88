/**
 * HLS media playlists: reading the ones ffmpeg writes, writing the VOD ones the pipeline uploads,
 * and the bit rates the master playlist advertises.
 */

export interface MediaPlaylist {
  version: number;
  targetDuration: number;
  mediaSequence: number;
  playlistType?: string;
  endList: boolean;
  segments: { durationSeconds: number; uri: string }[];
}

/** Parses an HLS media playlist (the tags ffmpeg writes). Throws on anything that is not one. */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new Error('not an HLS playlist: it does not start with #EXTM3U');
  const out: MediaPlaylist = { version: 1, targetDuration: 0, mediaSequence: 0, endList: false, segments: [] };
  let pending: number | undefined;
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const [tag, value = ''] = splitTag(line);
    if (tag === '#EXT-X-VERSION') out.version = Number(value);
    else if (tag === '#EXT-X-TARGETDURATION') out.targetDuration = Number(value);
    else if (tag === '#EXT-X-MEDIA-SEQUENCE') out.mediaSequence = Number(value);
    else if (tag === '#EXT-X-PLAYLIST-TYPE') out.playlistType = value;
    else if (tag === '#EXT-X-ENDLIST') out.endList = true;
    else if (tag === '#EXTINF') {
      pending = Number.parseFloat(value.split(',')[0] ?? '');
      if (!Number.isFinite(pending) || pending < 0) throw new Error(`bad #EXTINF duration: ${line}`);
    } else if (!line.startsWith('#')) {
      if (pending === undefined) throw new Error(`segment URI without #EXTINF: ${line}`);
      out.segments.push({ durationSeconds: pending, uri: line });
      pending = undefined;
    }
  }
  return out;
}

function splitTag(line: string): [string, string?] {
  const colon = line.indexOf(':');
  return colon < 0 ? [line] : [line.slice(0, colon), line.slice(colon + 1)];
}

/**
 * Writes a VOD media playlist. TARGETDURATION is the longest segment rounded to the nearest
 * integer (RFC 8216 4.3.3.1); every segment starts with a keyframe (INDEPENDENT-SEGMENTS).
 */
export function buildMediaPlaylist(segments: readonly { durationSeconds: number; uri: string }[]): string {
  const target = Math.max(1, ...segments.map((s) => Math.round(s.durationSeconds)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const s of segments) lines.push(`#EXTINF:${s.durationSeconds.toFixed(6)},`, s.uri);
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

/**
 * HLS BANDWIDTH (the peak segment bit rate) and AVERAGE-BANDWIDTH (all bytes over the whole
 * duration), bits per second.
 */
export function segmentBandwidth(segments: readonly { sizeBytes: number; durationSeconds: number }[]): { bandwidth: number; averageBandwidth: number } {
  let peak = 0;
  let bytes = 0;
  let seconds = 0;
  for (const s of segments) {
    bytes += s.sizeBytes;
    seconds += s.durationSeconds;
    if (s.durationSeconds > 0) peak = Math.max(peak, (s.sizeBytes * 8) / s.durationSeconds);
  }
  const average = seconds > 0 ? (bytes * 8) / seconds : 0;
  return { bandwidth: Math.ceil(Math.max(peak, average)), averageBandwidth: Math.ceil(average) };
}
