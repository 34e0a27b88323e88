import { LocalBlobStore, type BlobStore } from '../storage';
import { InvalidInputError, throwIfAborted } from './errors';

/**
 * Where ffmpeg reads a source from without copying it: the file itself for a local store, a
 * presigned GET URL for S3 (ffmpeg's HTTP reader then fetches only the byte ranges it seeks to,
 * the index and the chunk's own range). A chunk task on a 2 GiB upload so reads a few MB, not 2 GiB.
 */

/** How long the presigned URL lives: past the longest step (900 s), with room. */
export const SOURCE_URL_SECONDS = 3600;

/**
 * The readable location of `key`; InvalidInputError when it does not exist (a retry will not make
 * it). `what` names it in that message.
 */
export async function sourceLocation(store: BlobStore, key: string, signal?: AbortSignal, what = 'source'): Promise<string> {
  return (await sourceObject(store, key, signal, what)).location;
}

/** sourceLocation with the object's size (the HEAD that checks it exists reads it anyway). */
export async function sourceObject(store: BlobStore, key: string, signal?: AbortSignal, what = 'source'): Promise<{ location: string; sizeBytes: number }> {
  throwIfAborted(signal);
  const info = await store.head(key);
  if (!info) throw new InvalidInputError(`The ${what} ${JSON.stringify(key)} does not exist${what === 'source' ? ' in the upload store' : ''}`);
  const location = store instanceof LocalBlobStore ? store.pathOf(key) : (await store.presignGet(key, SOURCE_URL_SECONDS)).url;
  return { location, sizeBytes: info.sizeBytes };
}
