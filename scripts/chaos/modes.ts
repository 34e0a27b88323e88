/** How long each phase runs and how many faults of each kind the fault phase injects. */
import type { FaultKind } from './faults';

export interface ChaosMode {
  name: 'quick' | 'long';
  baselineSeconds: number;
  faultSeconds: number;
  /** The longest the drain may take before open runs are checked as they stand. */
  drainSeconds: number;
  inFlight: number;
  deciders: number;
  workers: number;
  faults: Record<FaultKind, number>;
  diskFullSeconds: number;
  tmpfsMb: number;
  /** The pipeline part: videos through `npm start` while it and its ffmpeg processes are killed. */
  pipeline: { videos: number; stackKills: number; ffmpegKills: number; timeoutSeconds: number };
}

/** Fits CI: about two minutes on a loaded 2-core machine. Six engine kills (one under the poll storm). */
export const QUICK: ChaosMode = {
  name: 'quick',
  baselineSeconds: 15,
  faultSeconds: 60,
  drainSeconds: 45,
  inFlight: 10,
  deciders: 3,
  workers: 6,
  faults: { 'engine-kill': 5, 'poll-storm': 1, 'poller-kill': 4, 'disk-full': 1, 'second-engine': 1, 'bad-requests': 4 },
  diskFullSeconds: 3,
  tmpfsMb: 96,
  pipeline: { videos: 3, stackKills: 2, ffmpegKills: 2, timeoutSeconds: 300 },
};

/** For the README figures: about 15 minutes, over a hundred engine kills. */
export const LONG: ChaosMode = {
  name: 'long',
  baselineSeconds: 90,
  faultSeconds: 600,
  drainSeconds: 120,
  inFlight: 16,
  deciders: 3,
  workers: 8,
  faults: { 'engine-kill': 100, 'poll-storm': 5, 'poller-kill': 50, 'disk-full': 5, 'second-engine': 5, 'bad-requests': 40 },
  diskFullSeconds: 4,
  tmpfsMb: 384,
  pipeline: { videos: 5, stackKills: 4, ffmpegKills: 4, timeoutSeconds: 600 },
};
