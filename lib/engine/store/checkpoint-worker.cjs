'use strict';
// Checkpoints the engine's WAL from a thread of its own, so copying WAL pages into the database
// (sometimes 100 ms) never stalls an API call. PASSIVE checkpoints never block the writer; under
// steady writes they never catch up completely, so the WAL could not restart and would grow: once
// it passes a size, a RESTART checkpoint (which waits briefly for the writer) starts it over, cheaply,
// since the passive rounds have already copied nearly everything.
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');

const { file, intervalMs, restartBytes } = workerData;
const db = new Database(file);
db.pragma('busy_timeout = 0');

const pageSize = db.pragma('page_size', { simple: true });

const timer = setInterval(() => {
  try {
    const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
    if (log * pageSize > restartBytes) {
      db.pragma('busy_timeout = 200');
      db.pragma('wal_checkpoint(RESTART)');
      db.pragma('busy_timeout = 0');
    }
  } catch {
    // Busy or closing: the next round catches up.
  }
}, intervalMs);

parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.postMessage('stopped');
});
