/**
 * The rendition ladder: which H.264 renditions to make from a probed source. Pure and
 * deterministic (the workflow records its output in a marker, but recomputing it gives the same).
 *
 * Rules:
 * - rungs 1080p, 720p, 480p, 360p, named by the short side of the *displayed* frame (rotation
 *   applied), so a portrait phone video stays portrait: 1080x1920 -> 1080x1920, 720x1280, ...;
 * - never upscale: only rungs whose short side is at most the source's; a source smaller than
 *   360p gets one rendition at its own size (rounded down to even numbers);
 * - aspect ratio kept, both sides even (H.264 4:2:0 needs even dimensions), never larger than
 *   the source;
 * - bitrates per rung for 16:9 at 24-30 fps, scaled down for fewer pixels (4:3, small sources) and
 *   for low frame rates; maxrate 1.07x and buffer 1.5x the target; audio 128k, 96k at 480p and below.
 */
import type { ProbeResult, Rendition } from './contracts';

export interface Rung {
  /** Short side of the displayed frame. */
  shortSide: number;
  /** Video target for a 16:9 frame at 24-30 fps, kbps. */
  videoKbps: number;
}

export const LADDER: readonly Rung[] = [
  { shortSide: 1080, videoKbps: 5000 },
  { shortSide: 720, videoKbps: 2800 },
  { shortSide: 480, videoKbps: 1400 },
  { shortSide: 360, videoKbps: 800 },
];

export const MAXRATE_FACTOR = 1.07;
export const BUFSIZE_FACTOR = 1.5;
/** No rendition gets less than this video bitrate. */
export const MIN_VIDEO_KBPS = 100;
/** At and above this frame rate the rung's bitrate applies unscaled. */
const FULL_RATE_FPS = 24;
/** Low frame rates scale the bitrate down, but not below this share. */
const MIN_FPS_FACTOR = 0.5;

const evenFloor = (n: number): number => 2 * Math.floor(n / 2);
const evenRound = (n: number): number => 2 * Math.round(n / 2);

/** The displayed frame: displayWidth/Height, or the coded size turned by the rotation if those are missing. */
export function displaySize(probe: Pick<ProbeResult, 'width' | 'height' | 'rotation' | 'displayWidth' | 'displayHeight'>): { width: number; height: number } {
  if (probe.displayWidth > 0 && probe.displayHeight > 0) return { width: probe.displayWidth, height: probe.displayHeight };
  const turned = probe.rotation === 90 || probe.rotation === 270;
  return turned ? { width: probe.height, height: probe.width } : { width: probe.width, height: probe.height };
}

function fpsFactor(frameRate: number): number {
  if (!Number.isFinite(frameRate) || frameRate <= 0 || frameRate >= FULL_RATE_FPS) return 1;
  return Math.max(MIN_FPS_FACTOR, frameRate / FULL_RATE_FPS);
}

function rendition(name: string, width: number, height: number, nominalShort: number, nominalKbps: number, frameRate: number): Rendition {
  // Bitrates are set for a 16:9 frame of this short side; fewer pixels get proportionally less.
  const nominalPixels = nominalShort * evenRound((nominalShort * 16) / 9);
  const pixelFactor = Math.min(1, (width * height) / nominalPixels);
  const video = Math.max(MIN_VIDEO_KBPS, Math.round(nominalKbps * pixelFactor * fpsFactor(frameRate)));
  return {
    name,
    width,
    height,
    videoBitrateKbps: video,
    maxBitrateKbps: Math.round(video * MAXRATE_FACTOR),
    bufferSizeKbits: Math.round(video * BUFSIZE_FACTOR),
    audioBitrateKbps: Math.min(width, height) > 480 ? 128 : 96,
  };
}

/** The renditions to make from `probe`, largest first. Empty only for a source without a usable size. */
export function planLadder(probe: ProbeResult): Rendition[] {
  const { width: dw, height: dh } = displaySize(probe);
  if (!(dw >= 2 && dh >= 2) || !Number.isFinite(dw) || !Number.isFinite(dh)) return [];
  const portrait = dh > dw;
  const short = Math.min(dw, dh);
  const long = Math.max(dw, dh);
  const smallest = LADDER[LADDER.length - 1]!;

  if (short < smallest.shortSide) {
    const w = evenFloor(dw);
    const h = evenFloor(dh);
    return [rendition(`${Math.min(w, h)}p`, w, h, smallest.shortSide, smallest.videoKbps, probe.frameRate)];
  }

  return LADDER.filter((rung) => rung.shortSide <= short).map((rung) => {
    const scaledLong = Math.min(evenRound((long * rung.shortSide) / short), evenFloor(long));
    const [w, h] = portrait ? [rung.shortSide, scaledLong] : [scaledLong, rung.shortSide];
    return rendition(`${rung.shortSide}p`, w, h, rung.shortSide, rung.videoKbps, probe.frameRate);
  });
}

/** Why the ladder is what it is, for manifest.json: the top rung and, below 1080p, what is missing and why. */
export function describeLadder(probe: ProbeResult, ladder: readonly Rendition[] = planLadder(probe)): LadderSummary {
  const { width, height } = displaySize(probe);
  const short = Math.min(width, height);
  const top = LADDER[0]!;
  const summary: LadderSummary = { sourceShortSide: short, renditions: ladder.map((r) => r.name) };
  const missing = LADDER.filter((rung) => rung.shortSide > short).map((rung) => `${rung.shortSide}p`);
  if (missing.length === 0 || short >= top.shortSide) return summary;
  const frame = `${width}x${height}`;
  const smallest = LADDER[LADDER.length - 1]!;
  summary.note =
    short < smallest.shortSide
      ? `The source (${frame}) is smaller than the smallest rung (${smallest.shortSide}p): one rendition at its own size; renditions are never upscaled.`
      : `No ${missing.join(' or ')} rendition: the source's short side is ${short} px (${frame}), and renditions are never upscaled.`;
  return summary;
}

export interface LadderSummary {
  /** Short side of the displayed source frame. */
  sourceShortSide: number;
  /** The renditions made, largest first. */
  renditions: string[];
  /** Present when the ladder stops below its top rung: which rungs are missing and why. */
  note?: string;
}
