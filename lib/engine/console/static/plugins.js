// The console's plugin API. A plugin is an ES module the engine serves (engine option
// `console.plugins`); when the page loads it, it calls
//
//   window.swfConsole.registerPlugin({
//     workflowType: 'ProcessVideo',          // optional: a name or { name, version }; default the engine option's
//     title: 'Video',                        // optional: the section's heading
//     render(container, ctx) { ... },        // first display, then after every change while the run is open
//     dispose(container) { ... },            // optional: the page leaves the execution
//   });
//
// (or `export default { ...same members }`). `ctx` holds:
//   execution  the executionInfo of DescribeWorkflowExecution (workflowId, runId, status, ...)
//   describe   the whole DescribeWorkflowExecution output
//   history    every event so far, as GetWorkflowExecutionHistory returns them (epoch-second timestamps)
//   derived    the console's own reading of the history (tasks, timers, children, close)
//   domain, region
//   config     the JSON the engine option gave this plugin (e.g. { apiUrl })
//   assetsBase the URL the plugin's assets are served under (`/console/plugins/<n>/`)
//   swf(operation, input)  the SWF API, as the page calls it
//   now()      the engine's clock, epoch seconds
//   live       true while the run is open and the page polls it
// `render` may return a promise; errors are shown in the plugin's section, not thrown further.

const registered = [];
let loading;

function typeOf(value) {
  if (!value) return undefined;
  return typeof value === 'string' ? { name: value } : { name: value.name, version: value.version };
}

export const swfConsole = {
  apiVersion: 1,
  registerPlugin(plugin) {
    if (!plugin || typeof plugin.render !== 'function') throw new TypeError('registerPlugin needs an object with a render(container, ctx) function');
    const entry = loading;
    const workflowType = typeOf(plugin.workflowType) ?? entry?.workflowType;
    if (!workflowType?.name) throw new TypeError('registerPlugin: workflowType is required');
    registered.push({ plugin, workflowType, entry, title: plugin.title ?? entry?.workflowType?.name ?? workflowType.name });
  },
  /** Registered plugins (read-only use). */
  get plugins() {
    return registered.slice();
  },
};
window.swfConsole = swfConsole;

/** Loads the engine's plugins one at a time, so each registration is tied to its engine entry. */
export async function loadPlugins(descriptors) {
  const failures = [];
  for (const entry of descriptors ?? []) {
    loading = entry;
    const before = registered.length;
    try {
      const mod = await import(entry.script);
      if (registered.length === before && mod?.default && typeof mod.default.render === 'function') swfConsole.registerPlugin(mod.default);
      if (registered.length === before) failures.push(`${entry.script}: registered nothing`);
    } catch (error) {
      failures.push(`${entry.script}: ${error.message ?? error}`);
      console.error('swf console: plugin failed to load', entry.script, error);
    } finally {
      loading = undefined;
    }
  }
  return failures;
}

/** Plugins for a workflow type ({ name, version }). */
export function pluginsFor(workflowType) {
  if (!workflowType) return [];
  return registered.filter((r) => r.workflowType.name === workflowType.name && (!r.workflowType.version || r.workflowType.version === workflowType.version));
}
