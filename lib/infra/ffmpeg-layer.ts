import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, BundlingOutput, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { defaultLayerCacheDir, LAYER_BINARIES, resolveLayerBinaries, type LayerBinarySpec } from './ffmpeg-binaries';
import { ARCHITECTURE, RUNTIME } from './function-preset';
import { writeZip } from './layer-zip';
import { NODE_MODULES } from './paths';

/** Where the layer puts the binaries: a layer is unpacked under /opt. */
export const FFMPEG_PATH = '/opt/bin/ffmpeg';
export const FFPROBE_PATH = '/opt/bin/ffprobe';

/** Layer file name -> the local file to copy there. */
export type LayerFiles = Record<string, string>;

export interface FfmpegLayerProps {
  /**
   * The binaries to package. Default: the linux x86_64 builds that lib/infra/ffmpeg-binaries.json
   * names, from node_modules when it has them, else fetched from the npm registry (any host).
   */
  binaries?: LayerFiles;
}

/** The layer archive the bundling step writes (CDK uploads a single-archive bundle as it is). */
export const LAYER_ZIP = 'ffmpeg-layer.zip';

/**
 * Writes the binaries as `bin/<name>` into the layer's zip at synth time, without Docker, each
 * world-executable whatever the host's file modes (Lambda runs the code as another user than the
 * file owner: anything less is EACCES, and a Windows host reports no execute bit at all). The
 * files are resolved only here, when CDK actually bundles (not when cdk.out already has this
 * asset), and a missing one throws rather than falling back to Docker.
 */
export class CopyBinariesBundling implements ILocalBundling {
  constructor(private readonly binaries: LayerFiles | (() => LayerFiles)) {}

  tryBundle(outputDir: string): boolean {
    const binaries = typeof this.binaries === 'function' ? this.binaries() : this.binaries;
    for (const source of Object.values(binaries)) {
      if (!fs.existsSync(source)) {
        throw new Error(`ffmpeg layer: ${source} is missing (the layer's binaries come from the packages lib/infra/ffmpeg-binaries.json names)`);
      }
    }
    fs.mkdirSync(outputDir, { recursive: true });
    writeZip(
      path.join(outputDir, LAYER_ZIP),
      Object.entries(binaries).map(([name, file]) => ({ name: `bin/${name}`, file, mode: 0o755 })),
    );
    return true;
  }
}

/** The layer's files by default: the data file's packages, resolved for this host. */
export function defaultLayerFiles(): LayerFiles {
  const resolved = resolveLayerBinaries({ nodeModules: NODE_MODULES, cacheDir: defaultLayerCacheDir(NODE_MODULES) });
  return Object.fromEntries(Object.entries(resolved).map(([name, r]) => [name, r.file]));
}

/**
 * A Lambda layer with static ffmpeg and ffprobe (linux x86_64) at /opt/bin. The asset hash is the
 * data file's package names, versions and integrities (or the given files' names and sizes), so
 * synth neither re-hashes ~150 MB each time nor needs the binaries once cdk.out has the layer.
 */
export class FfmpegLayer extends Construct {
  readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string, props: FfmpegLayerProps = {}) {
    super(scope, id);
    const given = props.binaries;
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: `Static ffmpeg and ffprobe (linux x86_64) at /opt/bin, from ${Object.values(LAYER_BINARIES).map((b) => `${b.package}@${b.version}`).join(' and ')}`,
      compatibleRuntimes: [RUNTIME],
      compatibleArchitectures: [ARCHITECTURE],
      // The source folder only has to exist: the asset is the bundling output.
      code: lambda.Code.fromAsset(__dirname, {
        assetHashType: AssetHashType.CUSTOM,
        assetHash: given ? fingerprintFiles(given) : fingerprintSpecs(LAYER_BINARIES),
        bundling: {
          // Never used: local bundling always succeeds or throws. Required by the API.
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox'),
          local: new CopyBinariesBundling(given ?? defaultLayerFiles),
          outputType: BundlingOutput.ARCHIVED,
        },
      }),
    });
  }
}

/** Layout version plus what identifies each package exactly (its integrity). */
export function fingerprintSpecs(specs: Readonly<Record<string, LayerBinarySpec>>): string {
  return createHash('sha256').update('ffmpeg-layer-v3').update(JSON.stringify(specs)).digest('hex');
}

function fingerprintFiles(files: LayerFiles): string {
  const hash = createHash('sha256').update('ffmpeg-layer-files-v2');
  for (const [name, file] of Object.entries(files)) hash.update(`${name}:${fs.existsSync(file) ? fs.statSync(file).size : -1}\n`);
  return hash.digest('hex');
}
