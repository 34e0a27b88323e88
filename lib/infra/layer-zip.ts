/**
 * Writes the ffmpeg layer as a zip whose entries carry their Unix mode explicitly. CDK would zip a
 * folder itself, but with each file's mode as the host reports it, and Windows reports no execute
 * bit: the layer's binaries would then fail on Lambda with EACCES. A zip made here is the same on
 * every host (CDK uploads a single-archive bundle as it is).
 */
import * as fs from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated. */
  name: string;
  /** The local file to store. */
  file: string;
  /** Unix permission bits, e.g. 0o755. */
  mode: number;
}

/** A DOS date of 1980-01-01 00:00, so the same files always make the same bytes. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;
const MAX_32 = 0xffffffff;

/**
 * The fields a local file header and a central directory header share, from version-needed to
 * the name length (26 bytes at `at`): deflate, UTF-8 names, a fixed date.
 */
function writeEntryFields(b: Buffer, at: number, e: { crc: number; compressedSize: number; size: number; nameLength: number }): void {
  b.writeUInt16LE(20, at); // version needed: deflate
  b.writeUInt16LE(0x0800, at + 2); // UTF-8 names
  b.writeUInt16LE(8, at + 4); // deflate
  b.writeUInt16LE(DOS_TIME, at + 6);
  b.writeUInt16LE(DOS_DATE, at + 8);
  b.writeUInt32LE(e.crc, at + 10);
  b.writeUInt32LE(e.compressedSize, at + 14);
  b.writeUInt32LE(e.size, at + 18);
  b.writeUInt16LE(e.nameLength, at + 22);
}

/** Writes `entries` to `outFile` (deflated; no zip64, so each file and the archive stay under 4 GiB). */
export function writeZip(outFile: string, entries: readonly ZipEntry[]): void {
  const fd = fs.openSync(outFile, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  const write = (b: Buffer): void => {
    fs.writeSync(fd, b);
    offset += b.length;
  };
  try {
    for (const entry of entries) {
      const data = fs.readFileSync(entry.file);
      const compressed = deflateRawSync(data); // zlib's default level, as CDK's own asset zips
      const crc = crc32(data);
      if (data.length > MAX_32 || offset + compressed.length > MAX_32) throw new RangeError(`zip: ${entry.name} makes the archive larger than 4 GiB`);
      const name = Buffer.from(entry.name, 'utf8');
      const fields = { crc, compressedSize: compressed.length, size: data.length, nameLength: name.length };
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      writeEntryFields(local, 4, fields);
      local.writeUInt16LE(0, 28); // no extra field
      const localOffset = offset;
      write(local);
      write(name);
      write(compressed);

      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the external attributes are a mode
      writeEntryFields(header, 6, fields);
      header.writeUInt32LE(((0o100000 | (entry.mode & 0o7777)) << 16) >>> 0, 38); // regular file + mode
      header.writeUInt32LE(localOffset, 42);
      central.push(header, name);
    }
    const centralStart = offset;
    for (const b of central) write(b);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(offset - centralStart, 12);
    end.writeUInt32LE(centralStart, 16);
    write(end);
  } finally {
    fs.closeSync(fd);
  }
}
