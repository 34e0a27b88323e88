/**
 * Where the ffmpeg layer's linux x86_64 binaries come from, on any host.
 *
 * The npm installers ship one optional package per platform, and npm installs only the host's:
 * on macOS, Windows or arm64 Linux, node_modules has no `@ffmpeg-installer/linux-x64`. So the
 * layer never relies on the host's install: for each binary named in ffmpeg-binaries.json it uses
 * node_modules when that holds exactly the wanted version, else a cache that `npm pack` fills
 * from the npm registry (the registry the project installs from anyway, whatever the host's
 * platform), checked against the integrity that the data file names before anything is kept.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import BINARIES from './ffmpeg-binaries.json';

/** One binary of the layer: an npm package and version, its tarball's SRI integrity, the file inside. */
export interface LayerBinarySpec {
  package: string;
  version: string;
  /** `sha512-<base64>`, as package-lock.json records it. */
  integrity: string;
  /** The binary's path inside the package. */
  path: string;
}

/** The layer's binaries (ffmpeg-binaries.json): changing a build is a one-line change there. */
export const LAYER_BINARIES: Readonly<Record<'ffmpeg' | 'ffprobe', LayerBinarySpec>> = BINARIES;

/** A binary could not be found or fetched, or its package failed the integrity check. */
export class LayerBinaryError extends Error {
  override readonly name = 'LayerBinaryError';
}

/** Writes the tarball of `<package>@<version>` into `destDir` and returns its path. */
export type PackageFetcher = (spec: LayerBinarySpec, destDir: string) => string;

export interface ResolveOptions {
  /** Where node_modules is (default: the repository root). */
  nodeModules: string;
  /** Where fetched packages are unpacked (default: node_modules/.cache/ffmpeg-layer). */
  cacheDir: string;
  /** Default: `npm pack` from the configured registry. */
  fetch?: PackageFetcher;
}

/** A resolved binary: its file and the package.json that came with it (for the asset hash). */
export interface ResolvedBinary {
  file: string;
  packageJson: string;
  source: 'node_modules' | 'cache';
}

/** `npm pack <pkg>@<version>`: the registry's tarball, whatever the host's os and cpu. */
export const npmPack: PackageFetcher = (spec, destDir) => {
  let out: string;
  try {
    out = execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['pack', `${spec.package}@${spec.version}`, '--json', '--pack-destination', destDir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new LayerBinaryError(`ffmpeg layer: npm pack ${spec.package}@${spec.version} failed: ${stderr || (error as Error).message}`);
  }
  const parsed = JSON.parse(out) as { filename?: string }[];
  const filename = parsed[0]?.filename;
  if (!filename) throw new LayerBinaryError(`ffmpeg layer: npm pack ${spec.package}@${spec.version} named no tarball`);
  // npm names scoped tarballs `scope-name-version.tgz`; older npm versions prefixed the `@`.
  return path.join(destDir, path.basename(filename.replace(/^@/, '').replace(/\//g, '-')));
};

/** The binary for `spec`: from node_modules if it has this very version, else from the cache, fetched once. */
export function resolveLayerBinary(spec: LayerBinarySpec, options: ResolveOptions): ResolvedBinary {
  const installed = path.join(options.nodeModules, ...spec.package.split('/'));
  if (packageVersion(path.join(installed, 'package.json')) === spec.version && fs.existsSync(path.join(installed, spec.path))) {
    return { file: path.join(installed, spec.path), packageJson: path.join(installed, 'package.json'), source: 'node_modules' };
  }
  const cached = path.join(options.cacheDir, `${spec.package.replace(/^@/, '').replace(/\//g, '+')}@${spec.version}`);
  const integrityFile = path.join(cached, '.integrity');
  if (fs.existsSync(integrityFile) && fs.readFileSync(integrityFile, 'utf8') === spec.integrity && fs.existsSync(path.join(cached, spec.path))) {
    return { file: path.join(cached, spec.path), packageJson: path.join(cached, 'package.json'), source: 'cache' };
  }

  fs.mkdirSync(options.cacheDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(options.cacheDir, '.fetch-'));
  try {
    const tarball = (options.fetch ?? npmPack)(spec, work);
    const bytes = fs.readFileSync(tarball);
    checkIntegrity(spec, bytes);
    const unpacked = path.join(work, 'package');
    const files = untarPackage(gunzipSync(bytes));
    for (const wanted of [spec.path, 'package.json']) {
      const body = files.get(wanted);
      if (!body) throw new LayerBinaryError(`ffmpeg layer: ${spec.package}@${spec.version} has no ${wanted}`);
      const target = path.join(unpacked, wanted);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, body, { mode: 0o755 });
    }
    fs.writeFileSync(path.join(unpacked, '.integrity'), spec.integrity);
    // Whole or not at all: a concurrent synth that got there first wins.
    fs.rmSync(cached, { recursive: true, force: true });
    fs.renameSync(unpacked, cached);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { file: path.join(cached, spec.path), packageJson: path.join(cached, 'package.json'), source: 'cache' };
}

/** Every binary of LAYER_BINARIES (or `specs`), resolved. */
export function resolveLayerBinaries(options: ResolveOptions, specs: Readonly<Record<string, LayerBinarySpec>> = LAYER_BINARIES): Record<string, ResolvedBinary> {
  return Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, resolveLayerBinary(spec, options)]));
}

/** The default cache: inside node_modules, so it goes with the install and is never committed. */
export function defaultLayerCacheDir(nodeModules: string): string {
  return process.env.FFMPEG_LAYER_CACHE?.trim() || path.join(nodeModules, '.cache', 'ffmpeg-layer');
}

function packageVersion(file: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function checkIntegrity(spec: LayerBinarySpec, bytes: Buffer): void {
  const m = /^(sha512|sha384|sha256)-([A-Za-z0-9+/=]+)$/.exec(spec.integrity);
  if (!m) throw new LayerBinaryError(`ffmpeg layer: ${spec.package}@${spec.version}: integrity ${JSON.stringify(spec.integrity)} is not an SRI hash (sha512-...)`);
  const actual = createHash(m[1]!).update(bytes).digest('base64');
  if (actual !== m[2]) {
    throw new LayerBinaryError(`ffmpeg layer: ${spec.package}@${spec.version} failed its integrity check (expected ${spec.integrity}, got ${m[1]}-${actual}); nothing was kept`);
  }
}

/**
 * The regular files of an npm package tarball (ustar, as npm writes it), by path below the
 * `package/` folder. Enough for npm's own tarballs: ustar prefix and pax `path` records.
 */
export function untarPackage(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let paxPath: string | undefined;
  const field = (start: number, length: number): string => {
    const raw = tar.subarray(offset + start, offset + start + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
  };
  while (offset + 512 <= tar.length) {
    if (tar.subarray(offset, offset + 512).every((b) => b === 0)) break;
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    const name = paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (body.length !== size) throw new LayerBinaryError('ffmpeg layer: truncated package tarball');
    paxPath = undefined;
    if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      paxPath = m?.[1];
    } else if (type === '0' || type === '7') {
      const rel = name.replace(/^[^/]+\//, ''); // npm's top folder is `package/` (some old packages differ)
      if (!rel.split('/').some((s) => s === '..' || s === '')) files.set(rel, Buffer.from(body));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
