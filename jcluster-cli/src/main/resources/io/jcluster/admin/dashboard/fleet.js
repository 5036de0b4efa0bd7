// The workers as the page knows them: the last status of each, its request rate (from the deltas of its
// `requests` counter), and the workers that left (kept for a while, marked gone, with how they exited).
// Pure logic, no DOM: fleet.test.mjs tests it under Node.

import { num } from './format.js';

/**
 * How far the rate looks back (and at least): a worker's counters move with its heartbeats (one a second),
 * not with each poll, so a shorter window would swing between 0 and twice the rate.
 */
export const RATE_WINDOW_MS = 5000;
export const RATE_MIN_MS = 2000;
/** How long the row of a worker that left stays on the page. */
export const GONE_KEEP_MS = 120000;

export class Fleet {
  constructor() {
    this.workers = new Map(); // id -> record
    this.primaryPid = null;
    this.status = null;
  }

  /**
   * Takes one /api/status answer received at `now` (ms). Returns true when the primary changed (another pid):
   * everything known before was dropped, as the new primary numbers its workers from 1 again.
   */
  update(status, now) {
    let reset = false;
    const pid = status && status.pid !== undefined ? status.pid : null;
    if (this.primaryPid !== null && pid !== null && pid !== this.primaryPid) {
      this.workers.clear();
      reset = true;
    }
    this.primaryPid = pid;
    this.status = status || {};
    const seen = new Set();
    const list = Array.isArray(this.status.workers) ? this.status.workers : [];
    for (const w of list) {
      if (!w || w.id === undefined || w.id === null) continue;
      const id = String(w.id);
      seen.add(id);
      let rec = this.workers.get(id);
      if (!rec || rec.gone) {
        rec = { id, samples: [], rate: null, gone: false, goneAt: null, exit: rec ? rec.exit : null, w: null };
        this.workers.set(id, rec);
      }
      if (rec.w && rec.w.pid !== w.pid) {
        rec.samples = []; // the same id on another process: its counters start again
      }
      rec.w = w;
      rec.rate = sampleRate(rec.samples, num(w.requests), now);
    }
    for (const rec of this.workers.values()) {
      if (!seen.has(rec.id) && !rec.gone) {
        rec.gone = true;
        rec.goneAt = now;
        rec.rate = null;
      }
      if (rec.gone && now - rec.goneAt > GONE_KEEP_MS) {
        this.workers.delete(rec.id);
      }
    }
    return reset;
  }

  /** An `exit` event: how the worker ended, shown in its row (if the page knows the worker). */
  exited(event) {
    if (!event || event.worker === undefined || event.worker === null) return false;
    const rec = this.workers.get(String(event.worker));
    if (!rec || (rec.w && event.pid !== undefined && event.pid !== null && rec.w.pid !== event.pid)) return false;
    rec.exit = { code: event.code ?? null, signal: event.signal ?? null };
    return true;
  }

  /** Live workers by id, then those that left, the latest first. */
  rows() {
    const all = [...this.workers.values()];
    const live = all.filter(r => !r.gone).sort(byId);
    const gone = all.filter(r => r.gone).sort((a, b) => b.goneAt - a.goneAt || byId(a, b));
    return live.concat(gone);
  }

  /** The sum of the live workers' rates; null while none is known. */
  totalRate() {
    let sum = null;
    for (const r of this.workers.values()) {
      if (!r.gone && r.rate !== null) sum = (sum ?? 0) + r.rate;
    }
    return sum;
  }
}

function byId(a, b) {
  const x = Number(a.id);
  const y = Number(b.id);
  return Number.isNaN(x) || Number.isNaN(y) ? a.id.localeCompare(b.id) : x - y;
}

/** Adds the sample and returns requests per second over the window; null for its first 2 s, and after a reset. */
export function sampleRate(samples, requests, now) {
  if (requests === null) {
    samples.length = 0;
    return null;
  }
  if (samples.length > 0 && requests < samples[samples.length - 1].requests) {
    samples.length = 0; // a counter that went back: a new process
  }
  samples.push({ at: now, requests });
  while (samples.length > 2 && now - samples[1].at >= RATE_WINDOW_MS) {
    samples.shift();
  }
  const first = samples[0];
  const seconds = (now - first.at) / 1000;
  if (samples.length < 2 || seconds * 1000 < RATE_MIN_MS) return null;
  return (requests - first.requests) / seconds;
}

/** What the State cell says: the worker's state, why it leaves, or how it exited. */
export function stateText(rec) {
  const w = rec.w || {};
  const ex = rec.exit;
  if (rec.gone || w.state === 'dead') {
    if (ex && ex.signal) return `exited (${ex.signal})`;
    if (ex && ex.code !== null && ex.code !== undefined) return `exited (code ${ex.code})`;
    return rec.gone ? 'gone' : 'dead';
  }
  const state = typeof w.state === 'string' && w.state ? w.state : 'unknown';
  return w.leaving ? `${state}, leaving (${w.leaving})` : state;
}

/** A CSS class for the state, so colour follows it (the text says it too). */
export function stateClass(rec) {
  if (rec.gone || (rec.w && rec.w.state === 'dead')) return 'state-gone';
  const s = rec.w && typeof rec.w.state === 'string' ? rec.w.state : 'unknown';
  if (rec.w && rec.w.leaving) return 'state-leaving';
  return /^[a-z]+$/.test(s) ? `state-${s}` : 'state-unknown';
}
