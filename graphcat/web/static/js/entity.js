// Entity pages: model versions, dataset versions, detectors and experiments.
import { h, clear, kindBadge, entityLink, message, table, shapeText, KINDS } from './dom.js';
import { entity, lineage, modelsForDataset } from './queries.js';
import { barChart } from './plots.js';
import { historyPanel } from './history.js';
import { monitorPanel } from './monitoring.js';
import { leaderboardPanel } from './leaderboard.js';

export async function renderEntity(view, kind, id) {
  const uid = `${kind}:${id}`;
  clear(view, h('p', { class: 'muted' }, 'Loading…'));
  let data;
  let neighbours;
  try {
    [data, neighbours] = await Promise.all([entity(kind, id), lineage(uid, 'BOTH', 1, null)]);
  } catch (err) {
    clear(view, message('error', `Could not load ${KINDS[kind].label.toLowerCase()} “${id}”: ${err.message}`));
    return;
  }
  if (!data) {
    clear(view, message('error', `No ${KINDS[kind].label.toLowerCase()} “${id}” in the catalog.`));
    return;
  }
  const sections = {
    model_version: modelVersionSections,
    dataset_version: datasetVersionSections,
    detector: detectorSections,
    experiment: experimentSections,
  }[kind](data);
  clear(view,
    h('article', { class: 'entity', dataset: { uid, kind } },
      header(kind, data, uid),
      data.deprecationReason ? h('div', { class: 'banner-deprecated', role: 'alert' },
        h('strong', {}, 'Deprecated. '), data.deprecationReason) : null,
      h('div', { class: 'entity-layout' },
        h('div', { class: 'entity-main' }, tabs(uid, sections)),
        h('aside', { class: 'entity-side' }, lineagePanel(uid, neighbours)))));
  if (kind === 'model_version') {
    // Loaded after the page is drawn, below the evaluations.
    view.querySelector('.entity-main [data-section="evaluations"]').after(monitorPanel(uid));
  }
  if (kind === 'dataset_version') {
    // Loaded after the page is drawn: estimating every model version takes longer than the entity.
    // The Details tab panel (not its tab button, which carries the same data-tab).
    view.querySelector('.entity-main [role="tabpanel"][data-tab="details"]').append(leaderboardPanel(uid), transferPanel(uid));
  }
}

// Model versions ranked by expected AUC on this dataset version (issue 10): the measured value,
// an estimate with its interval, or why there is not enough evidence, and how many evaluations fed it.
function transferPanel(uid) {
  const body = h('div', { class: 'transfer-body' }, h('p', { class: 'muted' }, 'Estimating…'));
  const card = h('section', { class: 'card', dataset: { section: 'transferability' } },
    h('h2', {}, 'Models ranked by estimated performance'),
    h('p', { class: 'muted small' }, 'Expected AUC on this dataset version, carried over from evaluations on other datasets.'),
    body);
  modelsForDataset(uid, 'auc', 10).then((rows) => {
    card.dataset.ready = 'true';
    if (!rows.length) { clear(body, h('p', { class: 'muted' }, 'No model version to rank.')); return; }
    // Not dom.table: each row carries its model version and status for readers and tests.
    clear(body, h('table', { class: 'data transfer' },
      h('thead', {}, h('tr', {}, ['Model version', 'Measured AUC', 'Estimated AUC (interval)', 'Evidence'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((t) => h('tr', { dataset: { uid: t.modelVersion, status: t.status.toLowerCase() } },
        [entityLink(t.modelVersion, t.modelVersion.split(':').slice(1).join(':')),
          t.measured === null || t.measured === undefined ? '—' : h('span', { class: 'num' }, formatValue(t.measured)),
          // A measured pair may still lack an estimate (the model cannot run on it, or its other
          // evaluations are too far away): the estimate column then says why.
          t.value === null || t.value === undefined
            ? [h('span', { class: 'tag warn' }, 'not enough evidence'), ' ', h('span', { class: 'reason' }, t.reason)]
            : [h('span', { class: 'num estimate' }, formatValue(t.value)), ' ',
              h('span', { class: 'num interval' }, `(${formatValue(t.low)} – ${formatValue(t.high)})`)],
          h('span', { class: 'num evidence-count' }, `${t.evidence.length} evaluation${t.evidence.length === 1 ? '' : 's'}`)]
          .map((c) => h('td', {}, c)))))));
  }).catch((err) => {
    card.dataset.ready = 'true';
    clear(body, message('error', `Could not estimate: ${err.message}`));
  });
  return card;
}

// Details and History (the audit trail, loaded when the tab is first opened).
function tabs(uid, sections) {
  const history = historyPanel(uid);
  const panels = {
    details: h('div', { role: 'tabpanel', id: 'tab-details', dataset: { tab: 'details' } }, sections),
    history: h('div', { role: 'tabpanel', id: 'tab-history', dataset: { tab: 'history' }, hidden: true }, history),
  };
  let loaded = false;
  const buttons = Object.entries({ details: 'Details', history: 'History' }).map(([key, label]) =>
    h('button', { type: 'button', role: 'tab', class: 'tab', 'aria-controls': `tab-${key}`, 'aria-selected': String(key === 'details'),
      dataset: { tab: key }, onclick: () => select(key) }, label));
  function select(key) {
    for (const b of buttons) b.setAttribute('aria-selected', String(b.dataset.tab === key));
    for (const [k, panel] of Object.entries(panels)) panel.hidden = k !== key;
    if (key === 'history' && !loaded) { loaded = true; history.load(); }
  }
  return [h('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Entity page' }, buttons), panels.details, panels.history];
}

function header(kind, data, uid) {
  return h('header', { class: 'entity-header' },
    h('div', { class: 'entity-kicker' }, kindBadge(kind),
      (data.aliases || []).map((a) => h('span', { class: 'alias', title: 'alias' }, a))),
    h('h1', { class: 'page-title' }, data.display || data.name || uid),
    data.description ? h('p', { class: 'lede' }, data.description) : null,
    h('p', {}, h('a', { class: 'button', href: `#/lineage/${encodeURIComponent(uid)}` }, 'Explore lineage →')));
}

function facts(pairs) {
  const rows = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && !v.length));
  if (!rows.length) return h('p', { class: 'muted' }, 'Nothing recorded.');
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function section(title, ...body) {
  return h('section', { class: 'card', dataset: { section: title.toLowerCase() } }, h('h2', {}, title), body);
}

function link(url) {
  return url && /^https?:\/\//.test(url) ? h('a', { href: url, rel: 'noopener', target: '_blank' }, url) : url;
}

// Inputs, outputs and dataset features: one row per column in order, with its per-event shape
// as it was written (shapeGiven: n for null, -1 or the axis name "N"/"batch" as given) and the kind the
// API reads from it (scalar, array, sequence, tensor).
function features(list, what) {
  return table(['#', 'Name', 'dtype', 'Shape', 'Kind', 'Unit', 'Description'],
    (list || []).map((f) => [h('span', { class: 'num' }, String(f.position)), h('code', {}, f.name), h('code', {}, f.dtype),
      h('code', {}, shapeText(f.shapeGiven ?? f.shape)), h('span', { class: `feature-kind kind-${f.kind}` }, f.kind), f.unit, f.description]),
    { empty: `No ${what} recorded.` });
}

function links(list, pick = (x) => x) {
  return (list || []).map((x, i) => { const n = pick(x); return [i ? ', ' : '', entityLink(n.uid, n.display)]; });
}

function evaluations(list, { showModel = false } = {}) {
  return table([showModel ? 'Model version' : 'Dataset', 'Metric', 'Value', 'Date', 'Source'],
    (list || []).map((e) => [
      showModel ? entityLink(e.modelVersion.uid, e.modelVersion.display) : (e.dataset ? entityLink(e.dataset.uid, e.dataset.display) : null),
      e.metric, h('span', { class: 'num' }, formatValue(e.value)), e.date,
      e.source ? (link(e.source.url) ? h('a', { href: e.source.url, rel: 'noopener', target: '_blank' }, e.source.display) : e.source.display)
        : (link(e.sourceUrl) || e.notes)]));
}

function formatValue(v) {
  return typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4)) : v;
}

function bytes(n) {
  if (n === null || n === undefined) return null;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n; let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u += 1; }
  return `${u ? v.toFixed(1) : v} ${units[u]}`;
}

function ms(v) {
  return v === null || v === undefined ? null : h('span', { class: 'num' }, v < 10 ? v.toFixed(3) : v.toFixed(1));
}

function hash(value) {
  return value ? h('code', { class: 'hash', title: value }, value) : null;
}

function publications(list) {
  return (list || []).map((p, i) => [i ? '; ' : '', link(p.url) ? h('a', { href: p.url, rel: 'noopener', target: '_blank' }, p.title || p.display) : (p.title || p.display),
    p.year ? ` (${p.year})` : '']);
}

function modelVersionSections(mv) {
  const hp = mv.hyperparameters || {};
  const rp = mv.reproducibility || {};
  const art = mv.artifact || {};
  const extra = Object.entries(hp.extra || {});
  return [
    section('Overview', facts([
      ['Model', mv.model ? entityLink(mv.model.uid, mv.model.name) : null],
      ['Version', mv.version],
      ['Tasks', (mv.tasks || []).map((t) => t.name).join(', ')],
      ['Owner', mv.owner ? mv.owner.name : null],
      ['Framework', mv.framework], ['Format', mv.format], ['License', mv.license],
      ['Created', mv.createdAt],
      ['Trained on', links(mv.datasets)],
      ...(mv.lineageFrom || []).map((l) => [l.type.replaceAll('_', ' ').toLowerCase(), entityLink(l.modelVersion.uid, l.modelVersion.display)]),
      ['Publications', publications(mv.publications)],
    ])),
    section('Inputs', features(mv.inputs, 'inputs')),
    section('Outputs', features(mv.outputs, 'outputs')),
    section('Evaluations', evaluations(mv.evaluations)),
    section('Hyperparameters', facts([
      ['Learning rate', hp.learningRate], ['Batch size', hp.batchSize], ['Epochs', hp.epochs], ['Optimizer', hp.optimizer],
      ...extra.map(([k, v]) => [h('code', {}, k), typeof v === 'object' ? JSON.stringify(v) : String(v)]),
    ])),
    section('Reproducibility', facts([
      ['Code', link(rp.codeRepository)], ['Commit', hash(rp.commit)], ['Environment', rp.environment],
      ['Training config', link(rp.trainingConfig)], ['Seed', rp.seed],
    ])),
    section('Artifact', facts([
      ['URI', link(art.uri)], ['SHA-256', hash(art.sha256)], ['Size', bytes(art.sizeBytes)],
    ])),
    section('Deployment', deployment(mv.deployment)),
  ];
}

// Smoke test, latency per batch size and hardware, and int8 quantisation links.
function deployment(d) {
  if (!d) return h('p', { class: 'muted' }, 'Nothing recorded.');
  const smoke = (d.smokeTests || [])[0];
  const q = d.quantizedFrom;
  return [
    facts([
      ['ONNX', d.onnxOpset ? `opset ${d.onnxOpset}${d.onnxIrVersion ? `, IR ${d.onnxIrVersion}` : ''}${d.onnxProducer ? `, from ${d.onnxProducer}` : ''}` : null],
      ['Smoke test', smoke ? h('span', { class: `tag ${smoke.ok ? 'ok' : 'warn'}`, dataset: { smoke: smoke.ok ? 'ok' : 'failed' } },
        smoke.ok ? `passed (batch ${smoke.batch})` : `failed: ${smoke.error}`) : null],
      ['Quantised from', q ? [entityLink(q.original.uid, q.original.display), ` — ${q.weightType || ''} ${q.method || ''}`,
        q.argmaxAgreement !== null && q.argmaxAgreement !== undefined ? `, arg-max agreement ${(q.argmaxAgreement * 100).toFixed(1)} %` : '',
        q.maxAbsDiff !== null && q.maxAbsDiff !== undefined ? `, max |Δ| ${q.maxAbsDiff.toPrecision(3)}` : ''] : null],
      ['Quantised versions', links(d.quantizedVersions)],
    ]),
    h('h3', {}, 'Latency (CPU)'),
    table(['Batch', 'p50 (ms)', 'p99 (ms)', 'Threads', 'Hardware', 'Runtime', 'Measured'],
      (d.benchmarks || []).map((b) => [h('span', { class: 'num' }, String(b.batch)), ms(b.p50Ms), ms(b.p99Ms), b.threads,
        b.hardware ? `${b.hardware.cpuModel || b.hardware.id}${b.hardware.cores ? `, ${b.hardware.cores} cores` : ''}` : null,
        [b.runtime, b.runtimeVersion].filter(Boolean).join(' '), b.measuredAt ? b.measuredAt.slice(0, 19).replace('T', ' ') : null]),
      { empty: 'Not benchmarked.' }),
    (d.benchmarks || []).length ? h('figure', { class: 'metric-figure latency-plot' }, h('figcaption', {}, 'p99 latency (ms) by batch size'),
      barChart('p99 latency (ms) by batch size', d.benchmarks.map((b) => ({
        label: `batch ${b.batch}${b.hardware ? `, ${b.hardware.cpuModel || b.hardware.id}` : ''}`, value: b.p99Ms, key: String(b.batch),
      })), (v) => `${v < 10 ? v.toFixed(3) : v.toFixed(1)} ms`, { fromZeroToOne: false })) : null,
  ];
}

function datasetVersionSections(dv) {
  const c = dv.conditions || {};
  const ds = dv.dataset || {};
  return [
    section('Overview', facts([
      ['Dataset', ds.name], ['Version', dv.version],
      ['Type', dv.dataType ? h('span', { class: `tag data-type-${dv.dataType}` }, dv.dataType === 'data' ? 'recorded data' : dv.dataType) : null],
      ['Owner', ds.owner ? ds.owner.name : null],
      ['Format', dv.format], ['Events', dv.numEvents?.toLocaleString()], ['Size', bytes(dv.sizeBytes)],
      ['Location', link(dv.location)], ['DOI', dv.doi ? h('a', { href: `https://doi.org/${dv.doi}`, rel: 'noopener', target: '_blank' }, dv.doi) : null],
      ['Digest', hash(dv.digest)], ['Created', dv.createdAt],
      ['Croissant', ds.slug ? h('a', { class: 'croissant-link', type: 'application/ld+json', href: croissantUrl(ds.slug, dv.version) }, 'croissant.json') : null],
      ['Detectors', links(dv.detectors)],
      ['Derived from', (dv.derivedFrom || []).map((d, i) => [i ? ', ' : '', entityLink(d.datasetVersion.uid, d.datasetVersion.display), d.kind ? ` (${d.kind})` : ''])],
      ['Derived versions', (dv.derivatives || []).map((d, i) => [i ? ', ' : '', entityLink(d.datasetVersion.uid, d.datasetVersion.display), d.kind ? ` (${d.kind})` : ''])],
      ['Publications', publications(ds.publications)],
    ])),
    section('Conditions', facts([
      ['√s (TeV)', c.sqrtSTev], ['Pile-up ⟨μ⟩', c.pileupMean], ['Run period', c.runPeriod], ['Generator', c.generator],
      ['Tune', c.tune], ['Detector simulation', c.detectorSimulation], ['Kinematic range', c.kinematicRange],
    ])),
    section('Features', features(dv.features, 'features')),
    section('Trained models', (dv.trainedModels || []).length ? h('p', {}, links(dv.trainedModels)) : h('p', { class: 'muted' }, 'None recorded.')),
    section('Evaluations', evaluations(dv.evaluations, { showModel: true })),
  ];
}

// The dataset version as Croissant JSON-LD, served beside the API (graphcat/api/croissant.py).
function croissantUrl(datasetSlug, version) {
  return `/datasets/${encodeURIComponent(datasetSlug)}/${encodeURIComponent(version)}/croissant.json`;
}

function detectorSections(d) {
  return [section('Overview', facts([
    ['Name', d.name], ['Kind', d.kind],
    ['Experiment', d.experiment ? entityLink(d.experiment.uid, d.experiment.display) : null],
    ['Dataset versions', links(d.datasetVersions)],
  ]))];
}

function experimentSections(e) {
  return [section('Overview', facts([
    ['Name', e.name], ['Website', link(e.url)],
    ['Detectors', links(e.detectors)],
  ]))];
}

// Links along the lineage: the neighbours one step up and down, grouped by relationship.
function lineagePanel(uid, graph) {
  const byUid = new Map((graph?.nodes || []).map((n) => [n.uid, n]));
  const up = []; const down = [];
  for (const e of graph?.edges || []) {
    if (e.from === uid && byUid.has(e.to)) up.push([e.type, byUid.get(e.to)]);
    else if (e.to === uid && byUid.has(e.from)) down.push([e.type, byUid.get(e.from)]);
  }
  const list = (items) => items.length
    ? h('ul', { class: 'lineage-links' }, items.map(([type, n]) => h('li', {},
      h('span', { class: 'rel' }, type.replaceAll('_', ' ').toLowerCase()), ' ', kindBadge(n.kind), ' ', entityLink(n.uid, n.label))))
    : h('p', { class: 'muted' }, 'None.');
  return h('section', { class: 'card lineage-card' },
    h('h2', {}, 'Lineage'),
    h('h3', {}, 'Depends on'), list(up),
    h('h3', {}, 'Used by'), list(down));
}
