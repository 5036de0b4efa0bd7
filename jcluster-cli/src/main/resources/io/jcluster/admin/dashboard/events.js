// The event stream (/api/events, Server-Sent Events) as a list, newest first, capped. On each connect the
// primary sends its last events again: those already shown are recognised (same line) and skipped.

import { clock, text } from './format.js';

export const TYPES = ['fork', 'online', 'listening', 'exit', 'restart', 'reload', 'scale', 'recycle', 'hang',
  'giveup', 'stopping'];
const CAP = 200;
const SEEN_CAP = 1000;
const REOPEN_MS = 3000;

/** One line of text for an event (its JSON already parsed). */
export function describe(e) {
  const parts = [];
  if (e.worker !== undefined && e.worker !== null) {
    const about = [];
    if (e.pid !== undefined && e.pid !== null) about.push(`pid ${e.pid}`);
    if (e.slot !== undefined && e.slot !== null) about.push(`slot ${e.slot}`);
    if (e.generation !== undefined && e.generation !== null) about.push(`gen ${e.generation}`);
    parts.push(`worker ${e.worker}` + (about.length ? ` (${about.join(', ')})` : ''));
  }
  switch (e.type) {
    case 'exit':
      if (e.signal) parts.push(`killed by ${e.signal}`);
      else if (e.code !== undefined && e.code !== null) parts.push(`exited with code ${e.code}`);
      else parts.push('exited');
      if (e.reason) parts.push(`(${e.reason})`);
      break;
    case 'recycle':
      parts.push('recycled' + (e.reason ? `: ${e.reason}` : ''));
      break;
    case 'hang':
      parts.push('hung' + (e.reason ? `: ${e.reason}` : '') + (e.dumpFile ? `; thread dump in ${e.dumpFile}` : ''));
      break;
    case 'giveup':
      parts.push('not restarted any more' + (e.reason ? `: ${e.reason}` : ''));
      break;
    case 'stopping':
      if (!e.message) parts.push('the cluster is stopping');
      break;
    case 'fork':
      if (parts.length) parts.push('forked');
      break;
    case 'restart':
      if (parts.length) parts.push('restarted');
      break;
    case 'online':
      if (parts.length) parts.push('online');
      break;
    case 'listening':
      if (parts.length) parts.push('listening' + (e.address ? ` on ${e.address}` : ''));
      break;
    default:
      break;
  }
  if (e.message) parts.push(String(e.message));
  return parts.length ? parts.join(' ') : text(e.type);
}

export class EventList {
  /** `onEvent(e)` is called for each new event (parsed), after it is shown. */
  constructor({ list, empty, state, onEvent }) {
    this.list = list;
    this.empty = empty;
    this.state = state;
    this.onEvent = onEvent;
    this.seen = new Set();
    this.seenOrder = [];
    this.source = null;
  }

  open() {
    this.close();
    const es = new EventSource('/api/events');
    this.source = es;
    const handler = msg => this.receive(msg.type, msg.data);
    for (const t of TYPES) es.addEventListener(t, handler);
    es.addEventListener('message', handler);
    es.addEventListener('open', () => this.setState('live'));
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED) {
        this.setState('disconnected; retrying');
        setTimeout(() => { if (this.source === es) this.open(); }, REOPEN_MS);
      } else {
        this.setState('reconnecting…');
      }
    });
  }

  close() {
    if (this.source) this.source.close();
    this.source = null;
  }

  /** Forgets what was shown (another primary). */
  clear() {
    this.list.replaceChildren();
    this.seen.clear();
    this.seenOrder = [];
    this.empty.hidden = false;
  }

  setState(s) {
    this.state.textContent = s === 'live' ? '' : `(${s})`;
  }

  receive(sseType, data) {
    if (typeof data !== 'string' || data === '') return;
    if (this.seen.has(data)) return;
    this.seen.add(data);
    this.seenOrder.push(data);
    if (this.seenOrder.length > SEEN_CAP) this.seen.delete(this.seenOrder.shift());
    let e;
    try {
      e = JSON.parse(data);
    } catch {
      e = { type: sseType, message: data };
    }
    if (!e || typeof e !== 'object') e = { type: sseType, message: String(data) };
    if (!e.type) e.type = sseType;
    this.show(e);
    if (this.onEvent) this.onEvent(e);
  }

  show(e) {
    const li = document.createElement('li');
    li.className = 'event';
    const time = document.createElement('time');
    time.className = 'event-time';
    if (e.time) time.dateTime = String(e.time);
    time.textContent = e.time ? clock(e.time) : clock(new Date().toISOString());
    const type = document.createElement('span');
    const t = String(e.type);
    type.className = 'event-type event-' + (/^[a-z]+$/.test(t) ? t : 'other');
    type.textContent = t;
    const what = document.createElement('span');
    what.className = 'event-text';
    what.textContent = describe(e);
    li.append(time, ' ', type, ' ', what);
    this.list.prepend(li);
    while (this.list.children.length > CAP) this.list.lastElementChild.remove();
    this.empty.hidden = true;
  }
}
