import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ARCHITECTURE, RUNTIME } from './function-preset';
import { FFMPEG_BINARY, FFPROBE_BINARY } from './paths';

/** Where the layer puts the binaries: a layer is unpacked under /opt. */
export const FFMPEG_PATH = '/opt/bin/ffmpeg';
export const FFPROBE_PATH = '/opt/bin/ffprobe';

export interface FfmpegLayerProps {
  /** The binaries to package (defaults: the npm installers' linux x86_64 builds). */
  ffmpegBinary?: string;
  ffprobeBinary?: string;
}

/**
 * Copies the two binaries into `bin/` of the layer asset at synth time, without Docker. Throws
 * (rather than falling back to Docker) when a binary is missing: the fix is `npm install`.
 */
export class CopyBinariesBundling implements ILocalBundling {
  constructor(private readonly binaries: Record<string, string>) {}

  tryBundle(outputDir: string): boolean {
    const bin = path.join(outputDir, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    for (const [name, source] of Object.entries(this.binaries)) {
      if (!fs.existsSync(source)) {
        throw new Error(`ffmpeg layer: ${source} is missing; run npm install (the @ffmpeg-installer/linux-x64 and @ffprobe-installer/linux-x64 packages ship it)`);
      }
      const target = path.join(bin, name);
      fs.copyFileSync(source, target);
      // Lambda runs the code as another user than the file owner: world-executable, or EACCES.
      fs.chmodSync(target, 0o755);
    }
    return true;
  }
}

/**
 * A Lambda layer with static ffmpeg and ffprobe (linux x86_64) at /opt/bin, built from the npm
 * packages the project already installs. The asset hash is the binaries' sizes and package
 * versions, so synth does not re-hash ~150 MB each time.
 */
export class FfmpegLayer extends Construct {
  readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string, props: FfmpegLayerProps = {}) {
    super(scope, id);
    const ffmpeg = props.ffmpegBinary ?? FFMPEG_BINARY;
    const ffprobe = props.ffprobeBinary ?? FFPROBE_BINARY;
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: 'Static ffmpeg and ffprobe (linux x86_64) at /opt/bin, from @ffmpeg-installer and @ffprobe-installer',
      compatibleRuntimes: [RUNTIME],
      compatibleArchitectures: [ARCHITECTURE],
      code: lambda.Code.fromAsset(path.dirname(ffmpeg), {
        assetHashType: AssetHashType.CUSTOM,
        assetHash: fingerprint([ffmpeg, ffprobe]),
        bundling: {
          // Never used: local bundling always succeeds or throws. Required by the API.
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox'),
          local: new CopyBinariesBundling({ ffmpeg, ffprobe }),
        },
      }),
    });
  }
}

/** Layout version, file names, sizes and the installer packages' package.json (name + version). */
function fingerprint(files: string[]): string {
  const hash = createHash('sha256').update('ffmpeg-layer-v1');
  for (const file of files) {
    hash.update(path.basename(file));
    hash.update(String(fs.existsSync(file) ? fs.statSync(file).size : -1));
    const pkg = path.join(path.dirname(file), 'package.json');
    if (fs.existsSync(pkg)) hash.update(fs.readFileSync(pkg));
  }
  return hash.digest('hex');
}
