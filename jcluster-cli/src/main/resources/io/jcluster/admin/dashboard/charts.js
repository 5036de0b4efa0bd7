// Time-series charts on uPlot: a ring of the last samples (one column per series, aligned on one time
// column) per chart. A series that appears (a new worker) is added; one whose values have all aged out of
// the ring (a worker that died minutes ago) is dropped. Ring is pure logic (tested under Node).

/** The last `capacity` samples: times in seconds and, per key, a value or null for each time. */
export class Ring {
  constructor(capacity) {
    this.capacity = capacity;
    this.times = [];
    this.columns = new Map(); // key -> array aligned with times
  }

  /** Adds a sample; returns true when the set of keys changed. */
  push(time, values) {
    let changed = false;
    this.times.push(time);
    for (const [key, v] of values) {
      if (!this.columns.has(key) && isValue(v)) {
        this.columns.set(key, new Array(this.times.length - 1).fill(null));
        changed = true;
      }
    }
    for (const [key, col] of this.columns) {
      const v = values.get(key);
      col.push(isValue(v) ? v : null);
    }
    if (this.times.length > this.capacity) {
      this.times.shift();
      for (const col of this.columns.values()) col.shift();
    }
    for (const [key, col] of this.columns) {
      if (col.every(v => v === null)) {
        this.columns.delete(key);
        changed = true;
      }
    }
    return changed;
  }

  keys() {
    return [...this.columns.keys()];
  }

  /** uPlot's data: [times, column of each key in `keys`]. */
  data(keys) {
    return [this.times.slice(), ...keys.map(k => this.columns.get(k).slice())];
  }

  clear() {
    this.times = [];
    this.columns.clear();
  }
}

function isValue(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

const HEIGHT = 200;

/**
 * One uPlot chart in `figure`. `series(key)` gives {label, stroke, dash?, width?, order?} for a key;
 * `format(v)` writes a value for the axis and the legend; `empty` is what the chart says while it has no series;
 * `log`: a logarithmic y axis (latencies: a cold start's seconds and a warm p50's tenths of a millisecond on one
 * chart), where values of 0 or less are not drawn.
 */
export class TimeChart {
  constructor(figure, { capacity, series, format, empty, log = false }) {
    this.figure = figure;
    this.log = log;
    this.ring = new Ring(capacity);
    this.seriesOf = series;
    this.format = format;
    this.keys = [];
    this.plot = null;
    this.holder = document.createElement('div');
    this.holder.className = 'chart-plot';
    const caption = figure.querySelector('figcaption');
    this.holder.setAttribute('role', 'img');
    this.holder.setAttribute('aria-label', `${caption ? caption.textContent : 'chart'} per worker over the last minutes;`
      + ' the workers table has the current values');
    this.note = document.createElement('p');
    this.note.className = 'chart-note muted';
    this.note.textContent = empty;
    figure.append(this.holder, this.note);
    this.resizer = new ResizeObserver(() => this.resize());
    this.resizer.observe(figure);
  }

  /** Adds a sample (time in seconds, a Map key -> number|null) and redraws. */
  push(time, values) {
    if (this.log) {
      values = new Map([...values].map(([k, v]) => [k, typeof v === 'number' && v > 0 ? v : null]));
    }
    const changed = this.ring.push(time, values);
    if (changed || !this.plot) {
      this.rebuild();
    } else {
      this.plot.setData(this.ring.data(this.keys));
    }
  }

  clear() {
    this.ring.clear();
    this.rebuild();
  }

  rebuild() {
    const keys = this.ring.keys().sort((a, b) => order(this.seriesOf(a)) - order(this.seriesOf(b)) || cmpKeys(a, b));
    this.keys = keys;
    if (this.plot) {
      this.plot.destroy();
      this.plot = null;
    }
    this.note.hidden = keys.length > 0;
    if (keys.length === 0 || typeof window.uPlot !== 'function') {
      if (typeof window.uPlot !== 'function') this.note.textContent = 'charts unavailable: uPlot did not load';
      return;
    }
    const fmt = this.format;
    const yAxis = { stroke: 'currentColor', size: 64,
      values: (u, vals) => vals.map(v => (v === null || v === undefined ? '' : fmt(v))), // log axes leave nulls
      grid: { stroke: 'rgba(128,128,128,0.15)' }, ticks: { stroke: 'rgba(128,128,128,0.3)' } };
    if (this.log) { // labels, ticks and grid lines at 0.1, 1, 10, 100 … only
      const decades = (u, splits) => splits.map(v => (decade(v) ? v : null));
      yAxis.filter = decades;
      yAxis.grid.filter = decades;
      yAxis.ticks.filter = decades;
    }
    const opts = {
      width: this.width(),
      height: HEIGHT,
      scales: { x: { time: true }, y: this.log ? { distr: 3, log: 10 } : { range: yRange } },
      axes: [
        { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.15)' }, ticks: { stroke: 'rgba(128,128,128,0.3)' } },
        yAxis,
      ],
      series: [{ label: 'time' }].concat(keys.map(k => {
        const s = this.seriesOf(k);
        return { label: s.label, stroke: s.stroke, width: s.width || 1.5, dash: s.dash, points: { show: false },
          value: (u, v) => (v === null || v === undefined ? '–' : fmt(v)) };
      })),
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
    };
    this.plot = new window.uPlot(opts, this.ring.data(keys), this.holder);
  }

  width() {
    return Math.max(240, Math.floor(this.figure.clientWidth || 480) - 8);
  }

  resize() {
    if (this.plot) this.plot.setSize({ width: this.width(), height: HEIGHT });
  }
}

function decade(v) {
  if (typeof v !== 'number' || v <= 0) return false;
  const l = Math.log10(v);
  return Math.abs(l - Math.round(l)) < 1e-9;
}

function order(s) {
  return s && typeof s.order === 'number' ? s.order : 0;
}

function cmpKeys(a, b) {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** From 0 to a little above the highest value; 0..1 while nothing is above 0. */
function yRange(u, min, max) {
  const top = typeof max === 'number' && Number.isFinite(max) && max > 0 ? max * 1.15 : 1;
  return [0, top];
}
