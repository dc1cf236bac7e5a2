// #/model/<id>?a=<version>&b=<version>: a model (family) with all its versions in a table
// (version, created, aliases, metrics, deprecation) and a diff between two chosen versions
// (inputs, hyperparameters, training data, metrics). The chosen pair lives in the URL.
import { h, clear, entityLink, kindBadge, message } from './dom.js';
import { model } from './browse-queries.js';
import { SECTIONS } from './diff.js';
import { metricCharts } from './plots.js';

export async function renderModel(view, id, params) {
  clear(view, h('p', { class: 'muted' }, 'Loading…'));
  let m;
  try {
    m = await model(id);
  } catch (err) {
    clear(view, message('error', `Could not load model “${id}”: ${err.message}`));
    return;
  }
  if (!m) {
    clear(view, message('error', `No model “${id}” in the catalog.`));
    return;
  }
  const versions = m.versions || [];
  const pick = (key, fallback) => versions.find((v) => v.version === params.get(key)) || fallback;
  // Default pair: the previous version against the newest (versions come newest first).
  const b = pick('b', versions[0]);
  const a = pick('a', versions.find((v) => v !== b) || b);
  const unknown = ['a', 'b'].filter((k) => params.get(k) && !versions.some((v) => v.version === params.get(k)));

  clear(view, h('article', { class: 'entity model-page', dataset: { uid: m.id, kind: 'model' } },
    h('header', { class: 'entity-header' },
      h('div', { class: 'entity-kicker' }, kindBadge('model')),
      h('h1', { class: 'page-title' }, m.name),
      m.description ? h('p', { class: 'lede' }, m.description) : null,
      h('p', { class: 'muted' },
        (m.tasks || []).length ? ['Tasks: ', (m.tasks || []).map((t, i) => [i ? ', ' : '', t.name])] : null,
        m.owner ? [' · Owner: ', m.owner.name] : null)),
    h('section', { class: 'card', dataset: { section: 'versions' }, 'aria-labelledby': 'versions-title' },
      h('h2', { id: 'versions-title' }, `Versions (${versions.length})`),
      h('div', { class: 'table-scroll' }, versionsTable(versions))),
    unknown.map((k) => message('error', `This model has no version “${params.get(k)}” (${k} in the address); comparing the default versions instead.`)),
    versions.length > 1 ? compare(m, versions, a, b) : null,
    metricsPlot(versions)));
}

// Every evaluation of the model as bars, one chart per metric (drawn by plots.js as plain SVG).
function metricsPlot(versions) {
  const charts = metricCharts(versions);
  if (!charts.length) return null;
  return h('section', { class: 'card', dataset: { section: 'metrics-plot' }, 'aria-labelledby': 'metrics-plot-title' },
    h('h2', { id: 'metrics-plot-title' }, 'Metrics across datasets'),
    charts.map(({ metric, chart }) => h('figure', { class: 'metric-figure', dataset: { metric } }, h('figcaption', {}, metric), chart)));
}

function metricsText(v) {
  return (v.evaluations || []).map((e, i) => [i ? h('br') : null,
    h('span', { class: 'num' }, `${e.metric} ${typeof e.value === 'number' ? e.value.toPrecision(4) : e.value}`),
    e.dataset ? h('span', { class: 'muted small' }, ` on ${e.dataset.display}`) : null]);
}

function versionsTable(versions) {
  const headers = ['Version', 'Created', 'Aliases', 'Framework', 'Metrics', 'Deprecation', 'Lineage'];
  return h('table', { class: 'data versions' },
    h('caption', { class: 'visually-hidden' }, 'All versions, newest first'),
    h('thead', {}, h('tr', {}, headers.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, versions.map((v) => h('tr', { dataset: { uid: v.id, version: v.version }, class: v.deprecationReason ? 'deprecated' : null },
      h('th', { scope: 'row' }, entityLink(v.id, v.version)),
      h('td', {}, v.createdAt ? v.createdAt.slice(0, 10) : '—'),
      h('td', {}, (v.aliases || []).length ? v.aliases.map((a) => h('span', { class: 'alias' }, a)) : '—'),
      h('td', {}, v.framework || '—'),
      h('td', { class: 'metrics' }, (v.evaluations || []).length ? metricsText(v) : '—'),
      h('td', {}, v.deprecationReason ? h('span', { class: 'tag warn' }, `deprecated: ${v.deprecationReason}`) : '—'),
      h('td', {}, h('a', { href: `#/lineage/${encodeURIComponent(v.id)}`, 'aria-label': `Lineage of ${v.version}` }, 'lineage'))))));
}

function compare(m, versions, a, b) {
  const id = m.id.slice(m.id.indexOf(':') + 1);
  const select = (key, label, chosen) => {
    const sel = h('select', { id: `compare-${key}`, name: key },
      versions.map((v) => h('option', { value: v.version, selected: v === chosen }, v.version)));
    return [h('label', { for: `compare-${key}` }, label), sel];
  };
  const form = h('form', { class: 'compare-form', 'aria-label': 'Choose two versions' },
    select('a', 'Compare', a), select('b', 'with', b),
    h('button', { type: 'submit', class: 'button primary' }, 'Compare'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams({ a: form.elements.a.value, b: form.elements.b.value });
    location.hash = `#/model/${encodeURIComponent(id)}?${q}`;
  });
  return h('section', { class: 'card diff', dataset: { section: 'compare', a: a.version, b: b.version }, 'aria-labelledby': 'compare-title' },
    h('h2', { id: 'compare-title' }, 'Compare two versions'),
    form,
    a === b ? h('p', { class: 'muted' }, 'Choose two different versions.')
      : SECTIONS.map(([title, key, rows]) => diffTable(title, key, rows(a, b), a, b)));
}

const CHANGE_TEXT = { same: 'same', changed: 'changed', added: `only in B`, removed: 'only in A' };

function diffTable(title, key, rows, a, b) {
  const changed = rows.filter((r) => r.change !== 'same').length;
  const hasDelta = rows.some((r) => r.delta !== undefined);
  return h('section', { class: 'diff-part', dataset: { diff: key, changed: String(changed) } },
    h('h3', {}, title, h('span', { class: 'muted small' }, rows.length ? ` — ${changed} of ${rows.length} differ` : '')),
    rows.length ? h('div', { class: 'table-scroll' }, h('table', { class: 'data diff-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, key === 'training-data' ? 'Dataset version' : 'Name'),
        h('th', { scope: 'col' }, `A: ${a.version}`), h('th', { scope: 'col' }, `B: ${b.version}`),
        hasDelta ? h('th', { scope: 'col' }, 'B − A') : null,
        h('th', { scope: 'col' }, 'Change'))),
      h('tbody', {}, rows.map((r) => h('tr', { class: `change-${r.change}`, dataset: { key: r.key, change: r.change } },
        h('th', { scope: 'row' }, key === 'training-data' ? entityLink(r.key, r.a || r.b) : h('code', {}, r.key)),
        h('td', {}, key === 'training-data' ? (r.a ? 'yes' : '—') : (r.a || '—')),
        h('td', {}, key === 'training-data' ? (r.b ? 'yes' : '—') : (r.b || '—')),
        hasDelta ? h('td', { class: 'num' }, r.delta === null ? '—' : `${r.delta > 0 ? '+' : ''}${r.delta.toPrecision(3)}`) : null,
        h('td', {}, h('span', { class: `tag change ${r.change}` }, CHANGE_TEXT[r.change])))))))
      : h('p', { class: 'muted' }, 'Neither version records any.'));
}
