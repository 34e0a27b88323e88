// Small DOM helpers. Text always goes in as text (never as HTML): histories hold user data.

/** h('div', { class: 'x', onclick }, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key in el && typeof value !== 'string') el[key] = value;
      else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

let toastTimer;
export function toast(message, kind = 'info') {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = message;
  el.className = `show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = ''), kind === 'error' ? 8000 : 3500);
}

export function badge(status, extra) {
  const s = String(status ?? '');
  return h('span', { class: `badge s-${s.toLowerCase().replace(/_/g, '-')}`, 'data-status': s }, s.replace(/_/g, ' '), extra ? h('small', null, ` ${extra}`) : null);
}

export function pre(text, cls = '') {
  return h('pre', { class: `data ${cls}` }, text ?? '');
}

/**
 * A form in a modal <dialog>: resolves with the values, or null when dismissed. `submit` runs
 * before it closes; an error it throws is shown in the dialog, which stays open.
 */
export function formDialog({ title, description, fields, submitLabel = 'OK', danger = false, submit }) {
  return new Promise((resolve) => {
    const dialog = document.getElementById('dialog');
    const inputs = {};
    const error = h('p', { class: 'dialog-error', role: 'alert' });
    const form = h(
      'form',
      { method: 'dialog' },
      h('h3', null, title),
      description ? h('p', { class: 'muted' }, description) : null,
      fields.map((f) => {
        let input;
        if (f.type === 'textarea') input = h('textarea', { name: f.name, rows: f.rows ?? 5, placeholder: f.placeholder ?? '', spellcheck: false }, f.value ?? '');
        else if (f.type === 'select') input = h('select', { name: f.name }, f.options.map((o) => h('option', { value: o.value ?? o, selected: (o.value ?? o) === f.value }, o.label ?? o)));
        else input = h('input', { name: f.name, type: f.type ?? 'text', value: f.value ?? '', placeholder: f.placeholder ?? '', required: f.required, autocomplete: 'off', spellcheck: false });
        inputs[f.name] = input;
        return h('label', null, h('span', null, f.label), input, f.hint ? h('small', { class: 'muted' }, f.hint) : null);
      }),
      error,
      h(
        'div',
        { class: 'dialog-buttons' },
        h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close('cancel') }, 'Cancel'),
        h('button', { type: 'submit', class: danger ? 'danger' : 'primary', value: 'ok' }, submitLabel),
      ),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const values = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value]));
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      error.textContent = '';
      try {
        const result = submit ? await submit(values) : values;
        dialog.close('ok');
        resolve(result ?? values);
      } catch (e) {
        error.textContent = e.message ?? String(e);
      } finally {
        button.disabled = false;
      }
    });
    dialog.onclose = () => {
      if (dialog.returnValue !== 'ok') resolve(null);
    };
    replace(dialog, form);
    dialog.returnValue = '';
    dialog.showModal();
    const first = form.querySelector('input, textarea, select');
    if (first) first.focus();
  });
}

/** Relative age: `3 s ago`. */
export function ago(seconds) {
  if (!Number.isFinite(seconds)) return '';
  const s = Math.max(0, seconds);
  if (s < 1) return 'just now';
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** Offers `text` as a file download. */
export function download(fileName, text, type = 'application/json') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: fileName, style: { display: 'none' } });
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(url);
    a.remove();
  }, 1000);
}
