/**
 * The run's only source of randomness: the tests' seeded generator (mulberry32), so that a printed
 * seed replays the same workload and the same fault schedule (timing on a loaded machine still varies).
 */
import { Prng } from '../../test/helpers/fuzz';

export class Random extends Prng {
  constructor(readonly seed: number) {
    super(seed);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** A generator of its own, seeded from this one, so one consumer's draws don't shift another's. */
  fork(): Random {
    return new Random(Math.floor(this.next() * 2 ** 32));
  }
}

/** A fresh seed when none is given. */
export function newSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
