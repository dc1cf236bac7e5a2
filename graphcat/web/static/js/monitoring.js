// Quality over time on a model version page (issue 17, quality monitoring): one plot per dataset
// and metric of the version's evaluations, oldest first (each point a dataset version: a run
// period's data), with the expected band shaded and the newest value's state (ok, alert, unknown).
import { h, clear, message } from './dom.js';
import { metricHistory } from './queries.js';
import { lineChart } from './plots.js';

const STATE_TAG = { OK: 'ok', ALERT: 'warn', UNKNOWN: 'muted' };

export function monitorPanel(uid) {
  const body = h('div', { class: 'monitor-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const card = h('section', { class: 'card', dataset: { section: 'quality over time' } },
    h('h2', {}, 'Quality over time'),
    h('p', { class: 'muted small' }, 'Each evaluation of this version per dataset, oldest first, against the expected band '
      + '(a configured threshold for its alias, else the transferability interval recorded with the newest value).'),
    body);
  metricHistory(uid).then((series) => {
    if (!series.length) { clear(body, h('p', { class: 'muted' }, 'No evaluation recorded.')); return; }
    clear(body, series.map(figure));
  }).catch((err) => {
    clear(body, message('error', `Could not load the metric history: ${err.message}`));
  }).finally(() => { card.dataset.ready = 'true'; });
  return card;
}

function figure(s) {
  const dataset = s.dataset.split(':').slice(1).join(':');
  const outside = (v) => s.band && ((typeof s.band.low === 'number' && v < s.band.low) || (typeof s.band.high === 'number' && v > s.band.high));
  const points = s.points.map((p) => ({ label: p.runPeriod || p.datasetVersion.split('@').pop(), value: p.value,
    key: p.datasetVersion, outside: outside(p.value) }));
  const state = s.state.toLowerCase();
  return h('figure', { class: 'metric-figure history-plot', dataset: { dataset: s.dataset, metric: s.metric, state } },
    h('figcaption', {}, `${s.metric} on ${dataset} `, h('span', { class: `tag ${STATE_TAG[s.state]} state` }, state)),
    lineChart(`${s.metric} on ${dataset}`, points, s.band),
    h('p', { class: 'small reason' }, s.reason));
}
