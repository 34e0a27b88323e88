// The execution's timeline on a canvas: each task a bar from scheduled (pale) to started (solid)
// to closed, coloured by outcome; attempts of a task share a row; only rows in view are drawn.
import { formatDuration, tickStep } from './model.js';
import { h } from './ui.js';

const ROW = 22;
const BAR = 12;
const AXIS = 26;
const LABEL = 210;
const POINTS_ROW = 'events';

const COLORS = {
  COMPLETED: '#1f9d55',
  FIRED: '#7c6cf0',
  FAILED: '#dc3545',
  TIMED_OUT: '#dc3545',
  SCHEDULE_FAILED: '#dc3545',
  START_FAILED: '#dc3545',
  CANCELED: '#8a8f98',
  TERMINATED: '#8a8f98',
  STARTED: '#2f6fde',
  INITIATED: '#2f6fde',
  SCHEDULED: '#e0a100',
};
const QUEUED = 'rgba(120, 130, 150, 0.35)';
const POINT_COLORS = { signal: '#e67e22', marker: '#12a594', cancel: '#dc3545', close: '#111827', failure: '#dc3545' };
const KIND_TAG = { activity: 'A', lambda: 'λ', timer: 'T', child: 'C', decision: 'D' };

export class Timeline {
  constructor(container, { height = 340, onSelect } = {}) {
    this.onSelect = onSelect;
    this.maxHeight = height;
    this.canvas = h('canvas', { class: 'tl-canvas' });
    this.spacer = h('div', { class: 'tl-spacer' });
    this.scroller = h('div', { class: 'tl-scroll' }, this.canvas, this.spacer);
    this.tip = h('div', { class: 'tl-tip', role: 'tooltip' });
    this.root = h('div', { class: 'timeline' }, this.scroller, this.tip);
    container.append(this.root);
    this.scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tip.style.display = 'none'));
    this.canvas.addEventListener('click', (e) => {
      const hit = this.hit(e);
      if (hit && this.onSelect) this.onSelect(hit);
    });
    this.resizeObserver = new ResizeObserver(() => this.schedule());
    this.resizeObserver.observe(this.scroller);
  }

  /** model: timelineModel(); status: the run's status, kept on the canvas for tests and styling. */
  update(model, status) {
    this.model = model;
    this.rows = model.points.length > 0 ? [{ key: POINTS_ROW, label: 'signals, markers, close', kind: 'points', bars: [] }, ...model.rows] : model.rows;
    const total = AXIS + this.rows.length * ROW + 6;
    const viewHeight = Math.min(this.maxHeight, Math.max(total, AXIS + ROW * 2));
    this.scroller.style.height = `${viewHeight}px`;
    this.viewHeight = viewHeight;
    this.spacer.style.height = `${Math.max(0, total - viewHeight)}px`;
    const c = model.counts;
    Object.assign(this.canvas.dataset, { rows: String(model.rows.length), bars: String(c.bars), open: String(c.open), failed: String(c.failed), completed: String(c.completed), status: status ?? '' });
    this.draw();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.draw();
    });
  }

  x(t) {
    const m = this.model;
    return LABEL + ((t - m.start) / (m.end - m.start)) * (this.width - LABEL - 14);
  }

  draw() {
    if (!this.model) return;
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(320, this.scroller.clientWidth);
    const height = this.viewHeight;
    this.width = width;
    if (this.canvas.width !== Math.round(width * dpr) || this.canvas.height !== Math.round(height * dpr)) {
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(height * dpr);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const g = this.canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = '12px system-ui, sans-serif';
    g.textBaseline = 'middle';
    const m = this.model;
    const scroll = this.scroller.scrollTop;
    const first = Math.max(0, Math.floor(scroll / ROW));
    const last = Math.min(this.rows.length, Math.ceil((scroll + height - AXIS) / ROW) + 1);

    // Grid and axis labels.
    const span = m.end - m.start;
    const step = tickStep(span, Math.max(2, Math.floor((width - LABEL) / 110)));
    g.strokeStyle = '#eceef2';
    g.fillStyle = '#6b7280';
    g.lineWidth = 1;
    for (let t = 0; t <= span + 1e-9; t += step) {
      const x = Math.round(this.x(m.start + t)) + 0.5;
      g.beginPath();
      g.moveTo(x, AXIS - 4);
      g.lineTo(x, height);
      g.stroke();
      g.fillText(`+${formatDuration(t).replace(' ', '\u2009')}`, x + 3, 11);
    }

    for (let i = first; i < last; i++) {
      const row = this.rows[i];
      const y = AXIS + i * ROW - scroll;
      if (i % 2 === 1) {
        g.fillStyle = '#f8f9fb';
        g.fillRect(0, y, width, ROW);
      }
      g.fillStyle = row.kind === 'points' ? '#6b7280' : '#1f2937';
      const tag = KIND_TAG[row.kind] ? `${KIND_TAG[row.kind]}  ` : '';
      g.fillText(clip(g, `${tag}${row.label}`, LABEL - 12), 8, y + ROW / 2);
      if (row.kind === 'points') {
        for (const p of m.points) this.drawPoint(g, p, y + ROW / 2);
        continue;
      }
      for (const bar of row.bars) this.drawBar(g, bar, y);
    }

    // The axis stays on top of scrolled rows.
    g.fillStyle = 'rgba(255,255,255,0.94)';
    g.fillRect(0, 0, width, AXIS - 6);
    g.fillStyle = '#6b7280';
    for (let t = 0; t <= span + 1e-9; t += step) g.fillText(`+${formatDuration(t).replace(' ', '\u2009')}`, Math.round(this.x(m.start + t)) + 3, 11);
    g.fillText('task', 8, 11);
  }

  drawBar(g, bar, y) {
    const top = y + (ROW - BAR) / 2;
    const x0 = this.x(bar.from);
    const xs = bar.started !== undefined ? this.x(bar.started) : undefined;
    const x1 = Math.max(this.x(bar.to), x0 + 2);
    if (bar.kind === 'timer') {
      g.fillStyle = bar.open ? 'rgba(124,108,240,0.55)' : 'rgba(124,108,240,0.35)';
      g.fillRect(x0, top + 3, Math.max(2, x1 - x0), BAR - 6);
      return;
    }
    const solidFrom = xs ?? (bar.open ? x1 : x0);
    if (solidFrom > x0) {
      g.fillStyle = QUEUED;
      g.fillRect(x0, top + 2, solidFrom - x0, BAR - 4);
    }
    g.fillStyle = COLORS[bar.state] ?? '#6b7280';
    const w = Math.max(2, x1 - solidFrom);
    if (bar.open && xs === undefined) {
      // Scheduled, not started: an outline at the queue's end.
      g.strokeStyle = COLORS.SCHEDULED;
      g.strokeRect(x0 + 0.5, top + 0.5, Math.max(2, x1 - x0) - 1, BAR - 1);
      return;
    }
    g.fillRect(solidFrom, top, w, BAR);
    if (bar.open) {
      // Still running: a lighter tip.
      g.fillStyle = 'rgba(255,255,255,0.45)';
      g.fillRect(Math.max(solidFrom, x1 - 4), top, Math.min(4, w), BAR);
    }
    if (bar.attempt > 1 && w > 18) {
      g.fillStyle = '#fff';
      g.fillText(`#${bar.attempt}`, solidFrom + 3, top + BAR / 2);
    }
  }

  drawPoint(g, p, cy) {
    const x = this.x(p.at);
    g.fillStyle = POINT_COLORS[p.kind] ?? '#6b7280';
    g.beginPath();
    if (p.kind === 'marker') {
      g.moveTo(x, cy - 6);
      g.lineTo(x + 5, cy);
      g.lineTo(x, cy + 6);
      g.lineTo(x - 5, cy);
    } else if (p.kind === 'close') {
      g.rect(x - 2, cy - 7, 4, 14);
    } else {
      g.moveTo(x - 5, cy - 6);
      g.lineTo(x + 5, cy - 6);
      g.lineTo(x, cy + 5);
    }
    g.fill();
  }

  hit(event) {
    if (!this.model) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    if (py < AXIS) return undefined;
    const i = Math.floor((py - AXIS + this.scroller.scrollTop) / ROW);
    const row = this.rows[i];
    if (!row) return undefined;
    if (row.kind === 'points') {
      let best;
      for (const p of this.model.points) {
        const d = Math.abs(this.x(p.at) - px);
        if (d <= 6 && (!best || d < best.d)) best = { d, p };
      }
      return best ? { row, point: best.p, eventId: best.p.eventId } : undefined;
    }
    let found;
    for (const bar of row.bars) {
      if (px >= this.x(bar.from) - 3 && px <= Math.max(this.x(bar.to), this.x(bar.from) + 2) + 3) found = bar;
    }
    return found ? { row, bar: found, eventId: found.task.scheduledEventId } : px < LABEL ? { row, bar: row.bars[0], eventId: row.bars[0]?.task?.scheduledEventId } : undefined;
  }

  hover(event) {
    const hit = this.hit(event);
    if (!hit || (!hit.bar && !hit.point)) {
      this.tip.style.display = 'none';
      this.canvas.style.cursor = '';
      return;
    }
    this.canvas.style.cursor = 'pointer';
    let text;
    if (hit.point) {
      text = `${hit.point.label} · event ${hit.point.eventId} · +${formatDuration(hit.point.at - this.model.start)}`;
    } else {
      const b = hit.bar;
      const t = b.task;
      const queued = b.started !== undefined ? b.started - b.from : undefined;
      const ran = b.started !== undefined ? b.to - b.started : undefined;
      text = [
        `${t.kind} ${t.id}${t.name && t.kind !== 'timer' ? ` (${t.name})` : ''}`,
        b.attempt > 1 ? `attempt ${b.attempt}` : '',
        t.state.toLowerCase().replace(/_/g, ' '),
        t.kind === 'timer' ? `timer ${formatDuration(t.timeouts?.startToFire)}` : '',
        queued !== undefined && t.kind !== 'timer' ? `queued ${formatDuration(queued)}` : '',
        ran !== undefined && t.kind !== 'timer' ? `${b.open ? 'running' : 'ran'} ${formatDuration(ran)}` : '',
        t.identity ? `by ${t.identity}` : '',
        t.reason ? `reason ${t.reason}` : '',
      ]
        .filter(Boolean)
        .join(' · ');
    }
    this.tip.textContent = text;
    const rect = this.root.getBoundingClientRect();
    this.tip.style.display = 'block';
    const left = Math.min(event.clientX - rect.left + 12, rect.width - this.tip.offsetWidth - 4);
    this.tip.style.left = `${Math.max(0, left)}px`;
    this.tip.style.top = `${event.clientY - rect.top + 14}px`;
  }

  destroy() {
    this.resizeObserver.disconnect();
    if (this.frame) cancelAnimationFrame(this.frame);
    this.root.remove();
  }
}

function clip(g, text, max) {
  if (g.measureText(text).width <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (g.measureText(`${text.slice(0, mid)}…`).width <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}
