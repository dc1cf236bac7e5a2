// Entity pages: model versions, dataset versions, detectors and experiments.
import { h, clear, kindBadge, entityLink, message, table, shapeText, KINDS } from './dom.js';
import { entity, lineage } from './queries.js';

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
        h('div', { class: 'entity-main' }, sections),
        h('aside', { class: 'entity-side' }, lineagePanel(uid, neighbours)))));
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

function features(list) {
  return table(['#', 'Name', 'dtype', 'Shape', 'Unit', 'Description'],
    (list || []).map((f) => [String(f.position), h('code', {}, f.name), f.dtype, shapeText(f.shape), f.unit, f.description]));
}

function evaluations(list, { showModel = false } = {}) {
  return table([showModel ? 'Model version' : 'Dataset', 'Metric', 'Value', 'Date', 'Source'],
    (list || []).map((e) => [
      showModel ? entityLink(e.modelVersion.uid, e.modelVersion.display) : (e.dataset ? entityLink(e.dataset.uid, e.dataset.display) : null),
      e.metric, h('span', { class: 'num' }, formatValue(e.value)), e.date, link(e.sourceUrl) || e.notes]));
}

function formatValue(v) {
  return typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4)) : v;
}

function modelVersionSections(mv) {
  const hp = mv.hyperparameters || {};
  const rp = mv.reproducibility || {};
  return [
    section('Overview', facts([
      ['Model', mv.model ? mv.model.name : null],
      ['Version', mv.version],
      ['Tasks', (mv.tasks || []).map((t) => t.name).join(', ')],
      ['Framework', mv.framework], ['Format', mv.format], ['License', mv.license],
      ['Created', mv.createdAt], ['Artifact', link(mv.artifactUri)],
      ['Trained on', (mv.datasets || []).map((d, i) => [i ? ', ' : '', entityLink(d.uid, d.display)])],
    ])),
    mv.inputs ? section('Inputs', features(mv.inputs)) : null,
    mv.outputs ? section('Outputs', features(mv.outputs)) : null,
    section('Evaluations', evaluations(mv.evaluations)),
    mv.reproducibility || mv.hyperparameters ? section('Reproducibility', facts([
      ['Code', link(rp.codeRepository)], ['Commit', rp.commit], ['Environment', rp.environment],
      ['Training config', rp.trainingConfig], ['Seed', rp.seed],
      ['Learning rate', hp.learningRate], ['Batch size', hp.batchSize], ['Epochs', hp.epochs], ['Optimizer', hp.optimizer],
    ])) : null,
  ];
}

function datasetVersionSections(dv) {
  const c = dv.conditions || {};
  return [
    section('Overview', facts([
      ['Dataset', dv.dataset ? dv.dataset.name : null], ['Version', dv.version], ['Type', dv.dataType],
      ['Format', dv.format], ['Events', dv.numEvents?.toLocaleString()], ['Location', link(dv.location)],
      ['DOI', dv.doi], ['Created', dv.createdAt],
      ['Detectors', (dv.detectors || []).map((d, i) => [i ? ', ' : '', entityLink(d.uid, d.display)])],
      ['√s (TeV)', c.sqrtSTev], ['Pile-up ⟨μ⟩', c.pileupMean], ['Run period', c.runPeriod], ['Generator', c.generator],
      ['Tune', c.tune], ['Detector simulation', c.detectorSimulation], ['Kinematic range', c.kinematicRange],
    ])),
    dv.features ? section('Features', features(dv.features)) : null,
    dv.evaluations ? section('Evaluations', evaluations(dv.evaluations, { showModel: true })) : null,
  ];
}

function detectorSections(d) {
  return [section('Overview', facts([
    ['Name', d.name], ['Kind', d.kind],
    ['Experiment', d.experiment ? entityLink(d.experiment.uid, d.experiment.display) : null],
  ]))];
}

function experimentSections(e) {
  return [section('Overview', facts([
    ['Name', e.name], ['Website', link(e.url)],
    ['Detectors', (e.detectors || []).map((d, i) => [i ? ', ' : '', entityLink(d.uid, d.display)])],
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
