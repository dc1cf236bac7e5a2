// The leaderboard card of a dataset version page (issue 17): the model versions by a metric,
// measured by graphcat, reported or estimated (each marked), with a bar chart of the values and
// filters by framework, latency budget (newest batch-1 p99 in ms) and hardware.
import { h, clear, entityLink, message } from './dom.js';
import { leaderboard } from './queries.js';
import { barChart } from './plots.js';

const fmt = (v) => (v === null || v === undefined ? '—' : Number(v).toPrecision(4));

export function leaderboardPanel(uid) {
  const metric = h('input', { type: 'text', name: 'metric', value: 'auc', size: 14, 'aria-label': 'Metric' });
  const framework = h('input', { type: 'text', name: 'framework', placeholder: 'any', size: 12, 'aria-label': 'Framework' });
  const ms = h('input', { type: 'number', name: 'maxLatencyMs', min: 0, step: 'any', placeholder: 'none', size: 8, 'aria-label': 'Latency budget (ms)' });
  const hardware = h('input', { type: 'text', name: 'hardware', placeholder: 'any', size: 14, 'aria-label': 'Hardware' });
  const body = h('div', { class: 'leaderboard-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const form = h('form', { class: 'leaderboard-filters' },
    h('label', {}, 'Metric ', metric), ' ', h('label', {}, 'Framework ', framework), ' ',
    h('label', {}, 'p99 ≤ (ms) ', ms), ' ', h('label', {}, 'Hardware ', hardware), ' ',
    h('button', { class: 'button', type: 'submit' }, 'Rank'));
  const card = h('section', { class: 'card', dataset: { section: 'leaderboard' } },
    h('h2', {}, 'Leaderboard'),
    h('p', { class: 'muted small' }, 'Model versions by the metric on this dataset version: measured by graphcat, reported, '
      + 'or estimated from their evaluations elsewhere.'),
    form, body);
  const text = (input) => (input.value.trim() ? input.value.trim() : null);

  async function load() {
    card.dataset.ready = 'false';
    try {
      const board = await leaderboard(uid, text(metric) || 'auc', { framework: text(framework),
        maxLatencyMs: ms.value === '' ? null : Number(ms.value), hardware: text(hardware) });
      const rows = board.edges.map((e) => e.node);
      if (!rows.length) { clear(body, h('p', { class: 'muted' }, 'No model version matches.')); return; }
      const bars = rows.filter((r) => typeof r.value === 'number')
        .map((r) => ({ label: `${r.modelVersion.split(':').slice(1).join(':')} (${r.kind.toLowerCase()})`, value: r.value, key: r.modelVersion }));
      clear(body,
        bars.length ? h('figure', { class: 'metric-figure leaderboard-plot' }, h('figcaption', {},
          `${board.metric}${board.lowerIsBetter ? ' (lower is better)' : ''}`), barChart(board.metric, bars, fmt, { fromZeroToOne: true })) : null,
        h('table', { class: 'data leaderboard' },
          h('thead', {}, h('tr', {}, ['#', 'Model version', board.metric, 'Kind', 'Interval', 'p99 (ms)'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, rows.map((r) => h('tr', { dataset: { uid: r.modelVersion, kind: r.kind.toLowerCase() } },
            [String(r.rank), entityLink(r.modelVersion, r.modelVersion.split(':').slice(1).join(':')),
              h('span', { class: 'num value' }, fmt(r.value)),
              h('span', { class: `tag ${r.kind === 'MEASURED' ? 'ok' : ''}` }, r.kind.toLowerCase().replaceAll('_', ' ')),
              r.low === null || r.low === undefined ? '—' : `${fmt(r.low)} – ${fmt(r.high)}`,
              r.p99Ms === null || r.p99Ms === undefined ? '—' : `${fmt(r.p99Ms)} on ${r.hardware}`]
              .map((c) => h('td', {}, c)))))));
    } catch (err) {
      clear(body, message('error', `Could not load the leaderboard: ${err.message}`));
    } finally {
      card.dataset.ready = 'true';
    }
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  load();
  return card;
}
