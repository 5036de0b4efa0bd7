// The workers table: one row per worker, kept (not rebuilt) from one update to the next, so the page
// does not flicker and a screen reader does not lose its place.

import * as f from './format.js';
import { stateClass, stateText } from './fleet.js';

const COLUMNS = [
  { cls: 'id', value: r => f.text(r.id), header: true },
  { cls: 'pid', value: r => f.text(r.w && r.w.pid) },
  { cls: 'state', value: r => stateText(r) },
  { cls: 'num', value: r => f.integer(r.w && r.w.generation) },
  { cls: 'num', value: r => (r.gone ? f.NONE : f.duration(r.w && r.w.uptimeSeconds)) },
  { cls: 'num', value: r => f.integer(r.w && r.w.restarts) },
  { cls: 'num', value: r => (r.gone || !(r.w && r.w.rssBytes > 0) ? f.NONE : f.bytes(r.w.rssBytes)) },
  { cls: 'num', value: r => (r.gone ? f.NONE : f.percent(r.w && r.w.cpuPercent)) },
  { cls: 'num', value: r => f.rate(r.rate) },
  { cls: 'num', value: r => (r.gone ? f.NONE : f.integer(r.w && r.w.connections)) },
  { cls: 'num', value: r => (r.gone ? f.NONE : f.millis(r.w && r.w.heartbeatLagSeconds)) },
];

export class WorkerTable {
  constructor(tbody, empty) {
    this.tbody = tbody;
    this.empty = empty;
    this.rows = new Map(); // id -> tr
  }

  render(records, stale) {
    const keep = new Set();
    let previous = null;
    for (const rec of records) {
      keep.add(rec.id);
      let tr = this.rows.get(rec.id);
      if (!tr) {
        tr = this.create(rec.id);
        this.rows.set(rec.id, tr);
      }
      this.fill(tr, rec, stale);
      const at = previous ? previous.nextSibling : this.tbody.firstChild;
      if (at !== tr) this.tbody.insertBefore(tr, at);
      previous = tr;
    }
    for (const [id, tr] of this.rows) {
      if (!keep.has(id)) {
        tr.remove();
        this.rows.delete(id);
      }
    }
    this.empty.hidden = records.length > 0;
  }

  create(id) {
    const tr = document.createElement('tr');
    tr.dataset.worker = id;
    for (const c of COLUMNS) {
      const cell = document.createElement(c.header ? 'th' : 'td');
      if (c.header) cell.scope = 'row';
      cell.className = c.cls;
      tr.append(cell);
    }
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.setAttribute('aria-hidden', 'true');
    tr.firstChild.append(swatch, document.createElement('span'));
    return tr;
  }

  fill(tr, rec, stale) {
    const cells = tr.children;
    COLUMNS.forEach((c, i) => {
      const v = c.value(rec);
      const target = i === 0 ? cells[0].lastChild : cells[i];
      if (target.textContent !== v) target.textContent = v;
    });
    const swatch = cells[0].firstChild;
    const colour = f.colour(rec.id);
    if (swatch.style.backgroundColor === '' || swatch.dataset.colour !== colour) {
      swatch.style.backgroundColor = colour;
      swatch.dataset.colour = colour;
    }
    cells[2].className = 'state ' + stateClass(rec);
    tr.dataset.state = rec.gone ? 'gone' : (rec.w && rec.w.state) || 'unknown';
    tr.classList.toggle('gone', rec.gone);
    tr.classList.toggle('stale', Boolean(stale));
  }
}
