// A virtualized table: only the rows in view (plus a few) exist in the DOM, so a 25,000-event
// history scrolls as smoothly as a 10-event one.
import { h } from './ui.js';

export class VirtualTable {
  /**
   * columns: [{ key, label, width }] (width: CSS grid track, e.g. '70px' or '1fr')
   * cell(row, key) -> text; rowClass(row) -> class; onSelect(row, index)
   */
  constructor(container, { columns, cell, rowClass, onSelect, rowHeight = 24, height = 420, empty = 'Nothing to show' }) {
    this.columns = columns;
    this.cell = cell;
    this.rowClass = rowClass ?? (() => '');
    this.onSelect = onSelect;
    this.rowHeight = rowHeight;
    this.rows = [];
    this.selected = undefined;
    this.pool = [];
    this.template = columns.map((c) => c.width ?? '1fr').join(' ');
    this.header = h('div', { class: 'vt-row vt-head', style: { gridTemplateColumns: this.template } }, columns.map((c) => h('div', { class: 'vt-cell' }, c.label)));
    this.spacer = h('div', { class: 'vt-spacer' });
    this.body = h('div', { class: 'vt-body' });
    this.emptyEl = h('div', { class: 'vt-empty muted' }, empty);
    this.maxHeight = height;
    this.viewport = h('div', { class: 'vt-viewport', style: { height: `${rowHeight * 3}px` }, tabindex: 0 }, this.spacer, this.body, this.emptyEl);
    this.root = h('div', { class: 'vtable' }, this.header, this.viewport);
    container.append(this.root);
    this.viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.viewport.addEventListener('click', (event) => {
      const rowEl = event.target.closest('.vt-row');
      if (!rowEl || rowEl.dataset.index === undefined) return;
      this.select(Number(rowEl.dataset.index));
    });
    this.viewport.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
      event.preventDefault();
      const next = Math.min(this.rows.length - 1, Math.max(0, (this.selected ?? -1) + (event.key === 'ArrowDown' ? 1 : -1)));
      this.select(next);
      this.scrollToIndex(next);
    });
    this.resizeObserver = new ResizeObserver(() => this.schedule());
    this.resizeObserver.observe(this.viewport);
  }

  /** Replaces the rows; keeps the scroll position, or follows the end when it was there. */
  setRows(rows) {
    const atEnd = this.viewport.scrollTop + this.viewport.clientHeight >= this.spacer.offsetHeight - this.rowHeight;
    const grew = rows.length > this.rows.length && this.rows.length > 0;
    this.rows = rows;
    this.spacer.style.height = `${rows.length * this.rowHeight}px`;
    // As tall as the rows, up to the maximum (a little more so a horizontal scrollbar never hides the last row).
    this.viewport.style.height = `${Math.min(this.maxHeight, Math.max(3, rows.length) * this.rowHeight + 4)}px`;
    this.emptyEl.style.display = rows.length === 0 ? '' : 'none';
    if (this.selected !== undefined && this.selected >= rows.length) this.selected = undefined;
    if (atEnd && grew && this.follow) this.viewport.scrollTop = this.spacer.offsetHeight;
    this.render();
  }

  select(index) {
    if (index < 0 || index >= this.rows.length) return;
    this.selected = index;
    this.render();
    this.onSelect?.(this.rows[index], index);
  }

  scrollToIndex(index, align = 'nearest') {
    const top = index * this.rowHeight;
    const vp = this.viewport;
    if (align === 'center') vp.scrollTop = Math.max(0, top - vp.clientHeight / 2);
    else if (top < vp.scrollTop) vp.scrollTop = top;
    else if (top + this.rowHeight > vp.scrollTop + vp.clientHeight) vp.scrollTop = top + this.rowHeight - vp.clientHeight;
    this.render();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.render();
    });
  }

  /** Number of row elements in the DOM (tests check that it stays small). */
  get renderedRows() {
    return this.body.childElementCount;
  }

  render() {
    const rh = this.rowHeight;
    const vp = this.viewport;
    const first = Math.max(0, Math.floor(vp.scrollTop / rh) - 8);
    const count = Math.min(this.rows.length - first, Math.ceil((vp.clientHeight || 420) / rh) + 16);
    while (this.pool.length < count) {
      const el = h('div', { class: 'vt-row', style: { gridTemplateColumns: this.template } }, this.columns.map(() => h('div', { class: 'vt-cell' })));
      this.pool.push(el);
    }
    for (let i = 0; i < Math.max(count, 0); i++) {
      const index = first + i;
      const row = this.rows[index];
      const el = this.pool[i];
      if (el.parentNode !== this.body) this.body.append(el);
      el.dataset.index = String(index);
      el.style.transform = `translateY(${index * rh}px)`;
      el.className = `vt-row ${this.rowClass(row) ?? ''}${index === this.selected ? ' selected' : ''}`;
      for (let c = 0; c < this.columns.length; c++) {
        const text = this.cell(row, this.columns[c].key);
        const cellEl = el.children[c];
        if (cellEl.textContent !== text) {
          cellEl.textContent = text;
          cellEl.title = text.length > 40 ? text : '';
        }
      }
    }
    for (let i = Math.max(count, 0); i < this.pool.length; i++) {
      if (this.pool[i].parentNode === this.body) this.pool[i].remove();
    }
  }

  destroy() {
    this.resizeObserver.disconnect();
    if (this.frame) cancelAnimationFrame(this.frame);
    this.root.remove();
  }
}
