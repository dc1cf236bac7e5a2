// Tiny DOM helpers. Everything from the API goes in as text nodes, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// Catalog kinds: route segment, human label and colour class (colours live in app.css and
// kinds.js so the graph and the page agree).
export const KINDS = {
  model_version: { route: 'model-version', label: 'Model version' },
  model: { route: 'model', label: 'Model' },
  dataset_version: { route: 'dataset-version', label: 'Dataset version' },
  dataset: { route: null, label: 'Dataset' },
  detector: { route: 'detector', label: 'Detector' },
  experiment: { route: 'experiment', label: 'Experiment' },
  task: { route: null, label: 'Task' },
  evaluation: { route: null, label: 'Evaluation' },
  publication: { route: null, label: 'Publication' },
  owner: { route: null, label: 'Owner' },
  feature: { route: null, label: 'Feature' },
};

// Colours by kind, shared by badges (CSS custom properties) and the lineage graph.
export const KIND_COLOURS = {
  model_version: '#2563eb',
  model: '#1e40af',
  dataset_version: '#059669',
  dataset: '#065f46',
  detector: '#d97706',
  experiment: '#7c3aed',
  task: '#db2777',
  evaluation: '#64748b',
  publication: '#0891b2',
  owner: '#57534e',
  feature: '#a8a29e',
};

export function splitUid(uid) {
  const i = uid.indexOf(':');
  return i < 0 ? ['', uid] : [uid.slice(0, i), uid.slice(i + 1)];
}

export function hrefFor(uid) {
  const [kind, id] = splitUid(uid);
  const route = KINDS[kind] && KINDS[kind].route;
  return route ? `#/${route}/${encodeURIComponent(id)}` : null;
}

export function kindBadge(kind) {
  const info = KINDS[kind] || { label: kind };
  return h('span', { class: 'badge', style: `--kind:${KIND_COLOURS[kind] || '#475569'}` }, info.label);
}

export function entityLink(uid, text) {
  const href = hrefFor(uid);
  return href ? h('a', { href }, text) : h('span', {}, text);
}

export function message(kind, text) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function table(headers, rows, { empty = 'None recorded.' } = {}) {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, headers.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c ?? '—'))))));
}

export function shapeText(shape) {
  if (!shape || !shape.length) return 'scalar';
  return `[${shape.map((d) => (d === null || d === undefined ? 'n' : d)).join(', ')}]`;
}
