import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const MODEL_JS = join(ROOT, 'lib', 'engine', 'console', 'static', 'model.js');
export const VIDEO_PLUGIN_JS = join(ROOT, 'lib', 'video', 'console', 'video-plugin.js');

export interface WireEvent {
  eventId: number;
  eventType: string;
  eventTimestamp: number;
  [attributes: string]: unknown;
}

/** A recorded video history (test/fixtures/histories), timestamps as epoch seconds like the JSON API. */
export function recordedHistory(name: string): WireEvent[] {
  const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'histories', `${name}.json`), 'utf8')) as { history: { eventTimestamp: string }[] };
  return fixture.history.map((e) => ({ ...e, eventTimestamp: Date.parse(e.eventTimestamp) / 1000 }) as unknown as WireEvent);
}

/** Events up to and including `eventId`. */
export function upTo(events: WireEvent[], eventId: number): WireEvent[] {
  return events.filter((e) => e.eventId <= eventId);
}

export function eventById(events: WireEvent[], eventId: number): WireEvent {
  const e = events.find((x) => x.eventId === eventId);
  if (!e) throw new Error(`no event ${eventId}`);
  return e;
}
