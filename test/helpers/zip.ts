import { execFileSync } from 'node:child_process';

export interface ZipListing {
  name: string;
  /** Unix mode from the external attributes (made-by Unix). */
  mode: number;
  size: number;
  /** sha256 of the extracted bytes. */
  sha256: string;
}

/** The entries of a zip as Python's zipfile reads it, after its CRC check of every entry. */
export function readZip(file: string): ZipListing[] {
  const script = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
if bad is not None: sys.exit('bad CRC in ' + bad)
print(json.dumps([{'name': i.filename, 'mode': i.external_attr >> 16, 'size': i.file_size, 'sha256': hashlib.sha256(z.read(i)).hexdigest(), 'system': i.create_system} for i in z.infolist()]))`;
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as ZipListing[];
}
