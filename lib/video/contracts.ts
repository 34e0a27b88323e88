/**
 * The JSON documents that pass between the workflow and its steps: each step's input (the
 * Lambda task's input / activity input) and its result. Both sides import these types, so a
 * change of shape is a compile error on both.
 */

/** Storage keys are relative to the media store; every key of a video lives under `<videoId>/`. */
export type BlobKey = string;

/** The workflow execution's input: what the starter knows about the upload. */
export interface WorkflowInput {
  videoId: string;
  /** Key of the uploaded file in the upload store. */
  sourceKey: BlobKey;
  /** Original file name, for display. */
  fileName?: string;
  /** Run the steps as SWF Lambda tasks (default) or as activities on long-lived workers. */
  runner?: 'lambda' | 'activity';
  /** Chunk length in seconds (a multiple of the HLS segment); default the decider's. */
  chunkSeconds?: number;
  /** Chunk encodes running at once per rendition; default the decider's. */
  chunkConcurrency?: number;
}

/**
 * How a video is cut for encoding, recorded in the CHUNK_PLAN_MARKER. Chunk `i` covers
 * [i * seconds, (i + 1) * seconds), the last one running to the end (see lib/video/chunks.ts),
 * so these four numbers are the whole plan however many chunks there are.
 */
export interface ChunkPlan {
  seconds: number;
  count: number;
  /** Chunk encodes at once per rendition. */
  concurrency: number;
  segmentSeconds: number;
}

/** Input of the ProcessRendition child workflow: one rendition of one video, in chunks. */
export interface RenditionWorkflowInput {
  videoId: string;
  sourceKey: BlobKey;
  rendition: Rendition;
  frameRate: number;
  hasAudio: boolean;
  durationSeconds: number;
  plan: ChunkPlan;
  /** What probe found about the source (interlaced, HDR...): each chunk is conditioned from it. */
  traits?: SourceTraits;
  runner?: 'lambda' | 'activity';
}

export interface ProbeInput {
  videoId: string;
  sourceKey: BlobKey;
}

export interface ProbeResult {
  durationSeconds: number;
  /** Coded frame size. */
  width: number;
  height: number;
  /** Clockwise rotation to apply on display (0, 90, 180, 270). */
  rotation: 0 | 90 | 180 | 270;
  /** Frame size as displayed, rotation applied. */
  displayWidth: number;
  displayHeight: number;
  frameRate: number;
  videoCodec: string;
  hasAudio: boolean;
  audioCodec?: string;
  /** Overall bit rate, bits per second, when known. */
  bitRate?: number;
  sizeBytes: number;
  formatName: string;
  /** What probe found besides the basics (absent in results recorded before it existed). */
  traits?: SourceTraits;
}

/** Properties of a source that change how it is handled (README "Inputs"). */
export interface SourceTraits {
  /** avg_frame_rate differs from r_frame_rate: outputs are constant frame rate. */
  variableFrameRate: boolean;
  /** Interlaced field order (tt, bb, tb, bt). */
  interlaced: boolean;
  /** PQ or HLG transfer: encoded to 8-bit SDR H.264 without tone mapping. */
  hdr: boolean;
  bitDepth: number;
  pixelFormat: string;
  /** Where the media ends, seconds (the packet scan of the last seconds). */
  decodableSeconds: number;
}

/** One rung of the rendition ladder. */
export interface Rendition {
  /** e.g. `720p`: the short side of the displayed frame. */
  name: string;
  /** Output (displayed) frame size; even numbers. */
  width: number;
  height: number;
  videoBitrateKbps: number;
  maxBitrateKbps: number;
  bufferSizeKbits: number;
  audioBitrateKbps: number;
}

export interface TranscodeInput {
  videoId: string;
  sourceKey: BlobKey;
  rendition: Rendition;
  frameRate: number;
  hasAudio: boolean;
  segmentSeconds: number;
}

export interface FileInfo {
  key: BlobKey;
  sizeBytes: number;
  sha256: string;
}

export interface TranscodeResult {
  rendition: Rendition;
  mp4: FileInfo & { width: number; height: number; durationSeconds: number; bitRate: number };
  hls: {
    playlist: FileInfo;
    /**
     * Segment count and bytes, not a list: results travel through SWF, whose 32,768-character
     * limit a per-segment list would break for any long video. The playlist names the segments.
     */
    segmentCount: number;
    segmentBytes: number;
    /** Peak and average segment bit rates, for the master playlist's BANDWIDTH attributes. */
    bandwidth: number;
    averageBandwidth: number;
    codecs: string;
  };
  elapsedMs: number;
}

/** One chunk of one rendition: video only, keyframes on the segment grid. */
export interface EncodeChunkInput {
  videoId: string;
  sourceKey: BlobKey;
  rendition: Rendition;
  frameRate: number;
  segmentSeconds: number;
  index: number;
  startSeconds: number;
  /** Absent for the last chunk, which runs to the end of the source. */
  endSeconds?: number;
  /** The source's traits from probe: the chunk is deinterlaced or tone-mapped as a single encode would be. */
  traits?: SourceTraits;
}

export interface EncodeChunkResult {
  index: number;
  chunk: FileInfo;
  frames: number;
  durationSeconds: number;
  elapsedMs: number;
}

/** The audio of one rendition, encoded once over the whole source so chunk joins cannot click. */
export interface EncodeAudioInput {
  videoId: string;
  sourceKey: BlobKey;
  rendition: Rendition;
}

export interface EncodeAudioResult {
  audio: FileInfo;
  durationSeconds: number;
  elapsedMs: number;
}

/**
 * Joins a rendition's chunks (and its audio) without re-encoding into the MP4 and HLS a single
 * encode makes. The chunks are found by their keys (`keys.chunk`), so the input stays small for
 * any number of them.
 */
export interface PackageInput {
  videoId: string;
  rendition: Rendition;
  chunkCount: number;
  /** Sum of the chunks' frames: the joined video must have exactly these. */
  frames: number;
  hasAudio: boolean;
  segmentSeconds: number;
}

/** The sprite tiles that fall in one chunk's time range. */
export interface ThumbnailTilesInput {
  videoId: string;
  sourceKey: BlobKey;
  durationSeconds: number;
  displayWidth: number;
  displayHeight: number;
  /** The source's traits from probe: tiles are deinterlaced or tone-mapped like the renditions. */
  traits?: SourceTraits;
  startSeconds: number;
  /** Absent for the last chunk. */
  endSeconds?: number;
}

export interface ThumbnailTilesResult {
  /** Index of the first tile made (0-based) and how many. */
  first: number;
  count: number;
  elapsedMs: number;
}

export interface ThumbnailsInput {
  videoId: string;
  sourceKey: BlobKey;
  durationSeconds: number;
  displayWidth: number;
  displayHeight: number;
  /** The source's traits from probe: the poster and tiles are deinterlaced or tone-mapped like the renditions. */
  traits?: SourceTraits;
}

/** The sheet of the chunked path: the thumbnails input and how many tiles the tile tasks made (contiguous from 0). */
export interface ThumbnailSheetInput extends ThumbnailsInput {
  tiles: number;
}

export interface ThumbnailsResult {
  poster: FileInfo & { width: number; height: number };
  sprite: FileInfo & { width: number; height: number; columns: number; rows: number; tileWidth: number; tileHeight: number };
  vtt: FileInfo;
  intervalSeconds: number;
  count: number;
  elapsedMs: number;
}

export interface PublishInput {
  videoId: string;
  source: { key: BlobKey; fileName?: string; probe: ProbeResult };
  renditions: TranscodeResult[];
  thumbnails: ThumbnailsResult;
  /** Per-step timings the workflow knows from its history (epoch ms). */
  timings: Record<string, { scheduledAt: number; closedAt: number; attempts: number }>;
}

export interface PublishResult {
  manifest: FileInfo;
  masterPlaylist: FileInfo;
}

/** manifest.json: what the pipeline made of one upload. */
export interface Manifest {
  videoId: string;
  createdAt: string;
  source: { key: BlobKey; fileName?: string; durationSeconds: number; width: number; height: number; rotation: number; sizeBytes: number; traits?: SourceTraits };
  renditions: {
    name: string;
    width: number;
    height: number;
    bitrateKbps: number;
    durationSeconds: number;
    mp4: FileInfo;
    hls: { playlist: FileInfo; segmentCount: number };
  }[];
  hls: { masterPlaylist: BlobKey };
  /** Why the ladder is what it is (e.g. no 1080p rung for a 1918x1078 source). */
  ladder?: { sourceShortSide: number; renditions: string[]; note?: string };
  thumbnails: { poster: FileInfo; sprite: FileInfo; vtt: FileInfo; intervalSeconds: number; count: number };
  timings: PublishInput['timings'];
}

/** The workflow's result (WorkflowExecutionCompleted.result). */
export interface WorkflowResult {
  videoId: string;
  manifestKey: BlobKey;
  masterPlaylistKey: BlobKey;
}

/** Deterministic keys: every output of a video lives under its id (intermediates under `work/<id>/`). */
export const keys = {
  source: (videoId: string) => `${videoId}/source`,
  mp4: (videoId: string, rendition: string) => `${videoId}/renditions/${rendition}.mp4`,
  hlsPlaylist: (videoId: string, rendition: string) => `${videoId}/hls/${rendition}/index.m3u8`,
  hlsSegment: (videoId: string, rendition: string, n: number) => `${videoId}/hls/${rendition}/segment_${String(n).padStart(5, '0')}.ts`,
  hlsMaster: (videoId: string) => `${videoId}/hls/master.m3u8`,
  poster: (videoId: string) => `${videoId}/thumbnails/poster.jpg`,
  sprite: (videoId: string) => `${videoId}/thumbnails/sprite.jpg`,
  vtt: (videoId: string) => `${videoId}/thumbnails/thumbnails.vtt`,
  manifest: (videoId: string) => `${videoId}/manifest.json`,
  /**
   * Intermediate files of the chunked path, not outputs: under one `work/` prefix (not the
   * video's), so a bucket lifecycle rule on `work/` can expire them; the steps never delete.
   */
  chunk: (videoId: string, rendition: string, n: number) => `work/${videoId}/${rendition}/chunk_${String(n).padStart(5, '0')}.mp4`,
  chunkAudio: (videoId: string, rendition: string) => `work/${videoId}/${rendition}/audio.m4a`,
  tile: (videoId: string, n: number) => `work/${videoId}/thumbnails/tile_${String(n + 1).padStart(4, '0')}.jpg`,
} as const;

/**
 * WorkflowExecutionFailed.details (JSON) when a step failed for good. The reason is the error
 * name without its `Error` suffix for a non-retryable error (`NotAVideoError` -> `NotAVideo`),
 * `StepFailed` when a step ran out of attempts, `InvalidInput` for a bad workflow input.
 */
export interface WorkflowFailureDetails {
  /** The task key: `probe`, `transcode-720p`, `thumbnails`, `publish`. */
  step: string;
  attempts: number;
  /** Error name, timeout type (`START_TO_CLOSE`...) or SWF cause of the last attempt. */
  error: string;
  message?: string;
}

/** WorkflowExecutionCanceled.details (JSON). */
export interface WorkflowCancelDetails {
  reason: 'CancelRequested';
  /** Task keys that completed before the cancel. */
  completedSteps: string[];
  /** Lambda tasks still running when the run closed: SWF cannot stop them; their results are dropped. */
  abandoned: string[];
}
