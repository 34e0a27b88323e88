/**
 * The ProcessVideo plugin for swf-local's web console (lib/engine/console): per-rendition
 * progress, thumbnails and an HLS player. The engine knows nothing about video; it serves this
 * plugin's script and assets for executions of the workflow type, and hands the page `config`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { WORKFLOW_TYPE } from '../definition';

export const VIDEO_PLUGIN_SCRIPT = resolve(__dirname, 'video-plugin.js');

/** hls.js's browser build, when the package is installed (the player falls back to MP4 without it). */
export function hlsScriptFile(): string | undefined {
  try {
    const file = join(dirname(require.resolve('hls.js/package.json')), 'dist', 'hls.min.js');
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/** What the plugin gets as `ctx.config`. */
export type VideoPluginConfig = {
  /** The starter API's URL; the media files are at `<apiUrl><mediaPath><key>`. */
  apiUrl?: string;
  mediaPath: string;
  /** The asset name of hls.js, when it is served. */
  hlsScript?: string;
};

/**
 * The engine's `console.plugins` entry for ProcessVideo. `apiUrl` is read per page load, so it
 * may be known only after the engine started (the API starts after it).
 */
export function videoConsolePlugin(apiUrl: () => string | undefined) {
  const hls = hlsScriptFile();
  const assets: Record<string, string> = hls ? { 'hls.min.js': hls } : {};
  return {
    workflowType: { name: WORKFLOW_TYPE.name, version: WORKFLOW_TYPE.version },
    scriptFile: VIDEO_PLUGIN_SCRIPT,
    assets,
    config: (): VideoPluginConfig => ({ apiUrl: apiUrl(), mediaPath: '/files/media/', ...(hls ? { hlsScript: 'hls.min.js' } : {}) }),
  };
}
