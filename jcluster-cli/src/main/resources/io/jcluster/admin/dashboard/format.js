// How the dashboard writes numbers. Every function takes what the status JSON may hold (a number, null, or
// nothing at all: an unmodified app reports no latency, an older primary lacks the newer fields) and gives text.

export const NONE = '–';

/** A finite number, else null: the one test for "this field was reported". */
export function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function bytes(v) {
  const b = num(v);
  if (b === null) return NONE;
  const mb = b / (1024 * 1024);
  if (mb >= 10240) return (mb / 1024).toFixed(1) + ' GB';
  return (mb >= 100 ? mb.toFixed(0) : mb.toFixed(1)) + ' MB';
}

export function duration(v) {
  const s = num(v);
  if (s === null) return NONE;
  const t = Math.max(0, Math.floor(s));
  const d = Math.floor(t / 86400);
  const h = Math.floor((t % 86400) / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(sec)}s`;
  return `${sec}s`;
}

function pad(n) {
  return n < 10 ? '0' + n : String(n);
}

export function percent(v) {
  const p = num(v);
  return p === null ? NONE : p.toFixed(1) + '%';
}

/** Requests per second: one decimal below 10. */
export function rate(v) {
  const r = num(v);
  if (r === null) return NONE;
  return r < 10 ? r.toFixed(1) : Math.round(r).toLocaleString('en-US');
}

/** Seconds shown as milliseconds. */
export function millis(v) {
  const s = num(v);
  if (s === null) return NONE;
  const ms = s * 1000;
  if (ms < 10) return ms.toFixed(1) + ' ms';
  if (ms < 10000) return Math.round(ms) + ' ms';
  return (ms / 1000).toFixed(1) + ' s';
}

export function integer(v) {
  const n = num(v);
  return n === null ? NONE : Math.round(n).toLocaleString('en-US');
}

/** A value for a table cell: text or the "not reported" dash. */
export function text(v) {
  if (v === null || v === undefined || v === '') return NONE;
  return String(v);
}

/** Local wall-clock time of an ISO-8601 instant, HH:MM:SS; the input when it does not parse. */
export function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return text(iso);
  return d.toLocaleTimeString('en-GB', { hour12: false });
}

// Twenty colours that stay apart on a light and a dark background; worker ids 1..20 all differ, and by the
// time ids wrap round the workers that had those colours have long left the charts.
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
  '#bcbd22', '#17becf', '#393b79', '#e6550d', '#31a354', '#ad494a', '#7b4173', '#3182bd', '#f5b800',
  '#637939', '#de2d8a', '#00a087'];

/** A stable colour per worker id, so a worker keeps its colour in every chart and in its row. */
export function colour(id) {
  const n = Math.abs(Math.trunc(num(Number(id)) ?? 0));
  return PALETTE[(n + PALETTE.length - 1) % PALETTE.length];
}
