/**
 * The ffmpeg layer's binaries on any host: node_modules when it holds the wanted linux x86_64
 * package, else `npm pack` into a cache, integrity-checked. The host without the platform package
 * (macOS, Windows, arm64) is simulated with an empty node_modules and a fetcher that serves a
 * tarball made here, so the test needs no network.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LAYER_BINARIES, LayerBinaryError, resolveLayerBinaries, resolveLayerBinary, untarPackage, type LayerBinarySpec, type PackageFetcher } from '../../lib/infra/ffmpeg-binaries';
import { CopyBinariesBundling, fingerprintSpecs, LAYER_ZIP } from '../../lib/infra/ffmpeg-layer';
import { LOCK_FILE } from '../../lib/infra/paths';
import { readZip } from '../helpers/zip';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'layer-binaries-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An npm-style tarball (`package/...`) of a fake binary package; returns its spec and file. */
function makePackage(name: string, version: string, binary: string, content: string): { spec: LayerBinarySpec; tarball: string } {
  const root = path.join(dir, `src-${name.replace(/\W/g, '_')}-${version}`);
  mkdirSync(path.join(root, 'package'), { recursive: true });
  writeFileSync(path.join(root, 'package', 'package.json'), JSON.stringify({ name, version, os: ['linux'], cpu: ['x64'] }));
  writeFileSync(path.join(root, 'package', binary), content);
  const tarball = path.join(root, 'pkg.tgz');
  execFileSync('tar', ['-czf', tarball, '-C', root, 'package']);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  return { spec: { package: name, version, integrity, path: binary }, tarball };
}

/** A fetcher that serves `tarball` and counts its calls. */
function serving(tarball: string): PackageFetcher & { calls: string[] } {
  const calls: string[] = [];
  const fetch = ((spec: LayerBinarySpec, dest: string) => {
    calls.push(`${spec.package}@${spec.version}`);
    const out = path.join(dest, 'fetched.tgz');
    copyFileSync(tarball, out);
    return out;
  }) as PackageFetcher & { calls: string[] };
  fetch.calls = calls;
  return fetch;
}

describe('on a host without the linux-x64 package (macOS, Windows, arm64)', () => {
  test('fetches the package once, checks its integrity, and keeps the binary executable in the cache', () => {
    const { spec, tarball } = makePackage('@ffmpeg-installer/linux-x64', '4.1.0', 'ffmpeg', '\x7fELF fake ffmpeg');
    const nodeModules = path.join(dir, 'node_modules'); // what npm leaves off Linux x64: no platform package
    mkdirSync(path.join(nodeModules, '@ffmpeg-installer', 'ffmpeg'), { recursive: true });
    const cacheDir = path.join(dir, 'cache');
    const fetch = serving(tarball);

    const first = resolveLayerBinary(spec, { nodeModules, cacheDir, fetch });
    expect(first.source).toBe('cache');
    expect(readFileSync(first.file, 'utf8')).toBe('\x7fELF fake ffmpeg');
    expect(statSync(first.file).mode & 0o111).toBe(0o111);
    expect(JSON.parse(readFileSync(first.packageJson, 'utf8'))).toMatchObject({ name: spec.package, version: '4.1.0' });

    const again = resolveLayerBinary(spec, { nodeModules, cacheDir, fetch });
    expect(again.file).toBe(first.file);
    expect(fetch.calls).toEqual(['@ffmpeg-installer/linux-x64@4.1.0']);
    // No temporary folders left behind.
    expect(readdirSync(cacheDir)).toEqual([path.basename(path.dirname(first.file))]);
  });

  test('a tarball that fails the integrity check is a clear error and nothing is kept', () => {
    const { spec, tarball } = makePackage('@ffprobe-installer/linux-x64', '5.2.0', 'ffprobe', 'probe');
    const tampered = { ...spec, integrity: `sha512-${createHash('sha512').update('something else').digest('base64')}` };
    const cacheDir = path.join(dir, 'cache');
    const fetch = serving(tarball);
    expect(() => resolveLayerBinary(tampered, { nodeModules: path.join(dir, 'nm'), cacheDir, fetch })).toThrow(LayerBinaryError);
    expect(() => resolveLayerBinary(tampered, { nodeModules: path.join(dir, 'nm'), cacheDir, fetch })).toThrow(/failed its integrity check/);
    expect(readdirSync(cacheDir)).toEqual([]);
    expect(() => resolveLayerBinary({ ...spec, integrity: 'md5-abc' }, { nodeModules: path.join(dir, 'nm'), cacheDir, fetch })).toThrow(/not an SRI hash/);
  });

  test('a package without the named binary is a clear error', () => {
    const { spec, tarball } = makePackage('@ffprobe-installer/linux-x64', '5.2.0', 'ffprobe', 'probe');
    expect(() => resolveLayerBinary({ ...spec, path: 'bin/ffprobe' }, { nodeModules: path.join(dir, 'nm'), cacheDir: path.join(dir, 'c'), fetch: serving(tarball) })).toThrow(
      '@ffprobe-installer/linux-x64@5.2.0 has no bin/ffprobe',
    );
  });

  test('the bundling step zips what was resolved as bin/<name>, world-executable even when the host reports no execute bit (Windows)', () => {
    const { spec, tarball } = makePackage('@ffmpeg-installer/linux-x64', '4.1.0', 'ffmpeg', 'ff'.repeat(5000));
    const resolved = resolveLayerBinaries({ nodeModules: path.join(dir, 'nm'), cacheDir: path.join(dir, 'c'), fetch: serving(tarball) }, { ffmpeg: spec });
    const probe = path.join(dir, 'ffprobe');
    writeFileSync(probe, 'probe');
    chmodSync(probe, 0o644); // what a Windows host reports for any file
    const out = path.join(dir, 'asset');
    new CopyBinariesBundling(() => ({ ffmpeg: resolved.ffmpeg!.file, ffprobe: probe })).tryBundle(out);
    expect(readdirSync(out)).toEqual([LAYER_ZIP]);
    const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
    expect(readZip(path.join(out, LAYER_ZIP))).toEqual([
      { name: 'bin/ffmpeg', mode: 0o100755, size: 10_000, sha256: sha('ff'.repeat(5000)), system: 3 },
      { name: 'bin/ffprobe', mode: 0o100755, size: 5, sha256: sha('probe'), system: 3 },
    ]);
  });

  test('a missing binary is a clear error, not a Docker fallback', () => {
    expect(() => new CopyBinariesBundling({ ffmpeg: path.join(dir, 'no-such-ffmpeg') }).tryBundle(path.join(dir, 'out'))).toThrow(/no-such-ffmpeg is missing/);
  });
});

describe('on Linux x64 (the package is installed)', () => {
  test('node_modules is used when it holds exactly the wanted version; another version is fetched instead', () => {
    const { spec, tarball } = makePackage('@ffmpeg-installer/linux-x64', '4.1.0', 'ffmpeg', 'from the registry');
    const nodeModules = path.join(dir, 'node_modules');
    const installed = path.join(nodeModules, '@ffmpeg-installer', 'linux-x64');
    mkdirSync(installed, { recursive: true });
    writeFileSync(path.join(installed, 'package.json'), JSON.stringify({ name: spec.package, version: '4.1.0' }));
    writeFileSync(path.join(installed, 'ffmpeg'), 'installed');
    const fetch = serving(tarball);
    expect(resolveLayerBinary(spec, { nodeModules, cacheDir: path.join(dir, 'c'), fetch })).toEqual({
      file: path.join(installed, 'ffmpeg'),
      packageJson: path.join(installed, 'package.json'),
      source: 'node_modules',
    });
    expect(fetch.calls).toEqual([]);

    writeFileSync(path.join(installed, 'package.json'), JSON.stringify({ name: spec.package, version: '4.0.0' }));
    expect(readFileSync(resolveLayerBinary(spec, { nodeModules, cacheDir: path.join(dir, 'c'), fetch }).file, 'utf8')).toBe('from the registry');
    expect(fetch.calls).toHaveLength(1);
  });
});

describe('lib/infra/ffmpeg-binaries.json', () => {
  test('names linux x86_64 builds whose version and integrity match package-lock.json wherever the lock lists them', () => {
    const lock = JSON.parse(readFileSync(LOCK_FILE, 'utf8')) as { packages: Record<string, { version?: string; integrity?: string; os?: string[]; cpu?: string[] }> };
    expect(Object.keys(LAYER_BINARIES).sort()).toEqual(['ffmpeg', 'ffprobe']);
    for (const spec of Object.values(LAYER_BINARIES)) {
      expect(spec.integrity).toMatch(/^sha512-[A-Za-z0-9+/]+=*$/);
      const locked = lock.packages[`node_modules/${spec.package}`];
      if (!locked) continue; // a package the project does not install: the data file alone pins it
      expect({ package: spec.package, version: locked.version, integrity: locked.integrity }).toEqual({ package: spec.package, version: spec.version, integrity: spec.integrity });
      if (locked.os) expect(locked.os).toContain('linux');
      if (locked.cpu) expect(locked.cpu).toContain('x64');
    }
  });

  test('the layer\'s asset hash changes with any package, version or integrity, and only with them', () => {
    const base = fingerprintSpecs(LAYER_BINARIES);
    expect(fingerprintSpecs({ ...LAYER_BINARIES })).toBe(base);
    expect(fingerprintSpecs({ ...LAYER_BINARIES, ffmpeg: { ...LAYER_BINARIES.ffmpeg, version: '9.9.9' } })).not.toBe(base);
    expect(fingerprintSpecs({ ...LAYER_BINARIES, ffprobe: { ...LAYER_BINARIES.ffprobe, integrity: 'sha512-AAAA' } })).not.toBe(base);
  });
});

test('untarPackage reads ustar names with a prefix and skips anything that would leave the package', () => {
  const header = (name: string, size: number, prefix = ''): Buffer => {
    const h = Buffer.alloc(512);
    h.write(name, 0);
    h.write(size.toString(8).padStart(11, '0') + '\0', 124);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write(prefix, 345);
    return h;
  };
  const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
  const tar = Buffer.concat([
    header('ffmpeg', 3, 'package/deep/dir'),
    pad(Buffer.from('abc')),
    header('package/../evil', 1),
    pad(Buffer.from('x')),
    Buffer.alloc(1024),
  ]);
  const files = untarPackage(tar);
  expect([...files.keys()]).toEqual(['deep/dir/ffmpeg']);
  expect(files.get('deep/dir/ffmpeg')!.toString()).toBe('abc');
});
