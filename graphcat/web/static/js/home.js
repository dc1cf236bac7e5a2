// #/ (home): what the catalog holds, browsable without typing — counts per kind, the task tree,
// experiments with their detectors, frameworks, recently registered versions and the versions in
// use (carrying an alias: production, staging, champion..., grouped by alias), each a link. The search box stays on top and opens #/search.
import { h, clear, entityLink, message, splitUid } from './dom.js';
import { home } from './browse-queries.js';
import { modelsHref } from './facets.js';

const COUNTED = [
  ['model', 'Models'], ['model_version', 'Model versions'], ['dataset', 'Datasets'],
  ['dataset_version', 'Dataset versions'], ['experiment', 'Experiments'], ['detector', 'Detectors'],
  ['task', 'Tasks'], ['publication', 'Publications'], ['evaluation', 'Evaluations'],
];

export async function renderHome(view) {
  const input = h('input', {
    type: 'search', id: 'home-search', name: 'q', class: 'search-input', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'Search models, datasets, detectors, experiments…',
  });
  const form = h('form', { class: 'search-bar', role: 'search', 'aria-label': 'Search the catalog' },
    h('label', { for: 'home-search', class: 'visually-hidden' }, 'Search the catalog'), input);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#/search?${new URLSearchParams({ q: input.value.trim() })}`;
  });
  const body = h('div', { class: 'home-body', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading the catalog…'));
  clear(view, h('section', { class: 'home-page' },
    h('h1', { class: 'page-title' }, 'The HEP model catalog'),
    h('p', { class: 'lede' }, 'Models, datasets, detectors and experiments of High Energy Physics. Browse by task, experiment or framework below, ',
      h('a', { href: modelsHref({}) }, 'list every model with filters'), ', or search.'),
    form, body));

  let data;
  try {
    data = await home();
  } catch (err) {
    clear(body, message('error', `Could not load the catalog summary: ${err.message}`));
    body.removeAttribute('aria-busy');
    return;
  }
  const s = data.summary;
  clear(body,
    counts(s.kinds),
    h('div', { class: 'home-grid' },
      card('Tasks', 'tasks', taskTree(s.tasks)),
      card('Experiments and detectors', 'experiments', experiments(s.experiments, data.detectors)),
      card('In use', 'in-use', inUse(s.aliases, data.inUse)),
      card('Recently registered', 'recent', versionList(data.recent, 'No version records when it was created.')),
      card('Frameworks', 'frameworks', frameworks(s.frameworks))));
  body.removeAttribute('aria-busy');
  body.dataset.ready = 'true';
}

function card(title, key, ...content) {
  const id = `home-${key}-title`;
  return h('section', { class: 'card home-card', dataset: { section: key }, 'aria-labelledby': id },
    h('h2', { id }, title), content);
}

function counts(kinds) {
  const by = Object.fromEntries(kinds.map((k) => [k.kind, k.count]));
  return h('ul', { class: 'kind-counts', 'aria-label': 'Catalog counts' },
    COUNTED.map(([kind, label]) => h('li', { class: 'kind-count', dataset: { kind } },
      h('span', { class: 'count-value num' }, (by[kind] ?? 0).toLocaleString('en')),
      h('span', { class: 'count-label' }, label))));
}

// The task tree from its roots, each task with the models for it or a subtask, linking to the
// model list filtered by that task.
function taskTree(tasks) {
  if (!tasks.length) return h('p', { class: 'muted' }, 'No task recorded.');
  const children = new Map();
  for (const t of tasks) {
    const key = t.parent || '';
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(t);
  }
  const branch = (parent) => h('ul', { class: 'task-tree' }, (children.get(parent) || []).map((t) => h('li', {},
    h('a', { href: modelsHref({ task: splitUid(t.task.id)[1] }), dataset: { task: t.task.id } }, t.task.name),
    ' ', h('span', { class: 'count', title: 'models for this task or a subtask' }, `${t.modelsInTree}`),
    children.has(t.task.id) ? branch(t.task.id) : null)));
  return branch('');
}

function experiments(list, detectors) {
  if (!list.length) return h('p', { class: 'muted' }, 'No experiment recorded.');
  return h('ul', { class: 'experiment-list' }, list.map((e) => {
    const [, id] = splitUid(e.experiment.id);
    const own = detectors.filter((d) => d.experiment && d.experiment.id === e.experiment.id);
    return h('li', { dataset: { experiment: e.experiment.id } },
      entityLink(e.experiment.id, e.experiment.name), ' ',
      h('a', { class: 'count', href: modelsHref({ experiment: id }), title: 'model versions trained on its data' },
        `${e.modelVersions} model version${e.modelVersions === 1 ? '' : 's'}`),
      own.length ? h('ul', { class: 'detector-list', 'aria-label': `Detectors of ${e.experiment.name}` },
        own.map((d) => h('li', {}, entityLink(d.id, d.name), d.kind ? h('span', { class: 'muted small' }, ` ${d.kind}`) : null)))
        : null);
  }));
}

// Versions carrying an alias, one group per alias (most carried first), each heading linking to
// the models with that alias.
function inUse(aliases, versions) {
  if (!aliases.length) return h('p', { class: 'muted' }, 'No version carries an alias (production, staging…).');
  return aliases.map((a) => h('div', { class: 'alias-group', dataset: { alias: a.alias } },
    h('h3', {}, h('a', { href: modelsHref({ alias: a.alias }), title: `models with a version aliased ${a.alias}` }, a.alias),
      ' ', h('span', { class: 'count' }, `${a.modelVersions}`)),
    versionList(versions.filter((v) => (v.aliases || []).includes(a.alias)), 'None listed.')));
}

function versionList(versions, empty) {
  if (!versions.length) return h('p', { class: 'muted' }, empty);
  return h('ul', { class: 'version-list' }, versions.map((v) => h('li', { dataset: { uid: v.id } },
    entityLink(v.model.id, v.model.name), ' ',
    entityLink(v.id, v.version),
    (v.aliases || []).map((a) => h('span', { class: 'alias' }, a)),
    v.deprecationReason ? h('span', { class: 'tag warn' }, 'deprecated') : null,
    v.createdAt ? h('span', { class: 'muted small' }, ` ${v.createdAt.slice(0, 10)}`) : null)));
}

function frameworks(list) {
  return h('ul', { class: 'framework-list' }, list.filter((f) => f.framework).map((f) => h('li', {},
    h('a', { href: modelsHref({ framework: f.framework }) }, f.framework), ' ',
    h('span', { class: 'count' }, `${f.modelVersions}`))));
}
