'use strict';
// Checkpoints the engine's WAL from a thread of its own, so copying WAL pages into the database
// never stalls an API call.
//
// PASSIVE checkpoints never block the writer, but under steady writes they never copy everything,
// and SQLite starts the WAL over only when a write transaction begins with every frame copied. A
// RESTART checkpoint forces that moment by holding the write lock while it copies and syncs, and
// the call that finds the lock taken sleeps in SQLite's busy handler (1, 2, 5, 10 ms...): stalls
// of 19-34 ms. So once the WAL passes a size, this thread catches up in quick rounds and then asks
// the engine to copy the last few frames itself, between two calls, on its own connection: no
// call waits, and the engine's next write starts the WAL over.
//
// SQLite syncs the database file only in a checkpoint that copies the whole WAL, which is the
// engine's. Syncing it here after every round that copied pages leaves that sync, on the
// engine's thread, with only the last round's pages to write.
const { parentPort, workerData } = require('node:worker_threads');
const { closeSync, fdatasyncSync, openSync } = require('node:fs');
const Database = require('better-sqlite3');

const { file, intervalMs, restartBytes, forceRestartBytes, catchUpFrames, engineWaitMs } = workerData;
const db = new Database(file);
db.pragma('busy_timeout = 0');
const pageSize = db.pragma('page_size', { simple: true });
const dbFd = openSync(file, 'r');

/** Frames copied as of the last round: a round that copied nothing needs no sync. */
let copied = 0;
/** The frames in the WAL at the last round, to tell an idle engine from a busy one. */
let lastLog = -1;
/** When the engine was asked to finish a restart; 0 when not waiting for it. */
let askedAt = 0;

/** One PASSIVE round: the frames in the WAL when it began, and how many of them are copied. */
function round() {
  const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
  if (checkpointed !== copied) {
    fdatasyncSync(dbFd);
    copied = checkpointed;
  }
  return { log, checkpointed };
}

/** Restarts the WAL from here, making the writer wait: only when writes outpace the copies. */
function restartHere() {
  db.pragma('busy_timeout = 200');
  try {
    const [{ busy }] = db.pragma('wal_checkpoint(RESTART)');
    if (busy === 0) parentPort.postMessage('forced-restart');
  } finally {
    db.pragma('busy_timeout = 0');
  }
}

const timer = setInterval(() => {
  try {
    if (askedAt !== 0) {
      // The engine has not answered (its thread kept busy that long): copy on regardless.
      if (Date.now() - askedAt < engineWaitMs) return;
      askedAt = 0;
    }
    let { log, checkpointed } = round();
    // Nothing written since the last round and everything copied: the next write starts the WAL
    // over by itself, so an idle engine is not asked again and again.
    const idle = log === lastLog && checkpointed >= log;
    lastLog = log;
    if (idle) return;
    if (log * pageSize > restartBytes) {
      // Each round copies what was written during the one before, so a few rounds leave little.
      for (let i = 0; i < 8; i++) {
        const before = log;
        ({ log, checkpointed } = round());
        if (log - before <= catchUpFrames) break;
      }
    }
    // Writes outpacing the copies (rounds that never converge): bound the WAL the old way.
    if (log * pageSize > forceRestartBytes) {
      restartHere();
      return;
    }
    if (log * pageSize <= restartBytes) return;
    askedAt = Date.now();
    parentPort.postMessage('finish-restart');
  } catch {
    // Busy or closing: the next round catches up.
  }
}, intervalMs);

parentPort.on('message', (message) => {
  if (message === 'restart-finished') {
    askedAt = 0;
    return;
  }
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  closeSync(dbFd);
  parentPort.postMessage('stopped');
});
