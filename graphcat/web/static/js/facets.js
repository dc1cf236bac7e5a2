// #/models?task=…&experiment=…&framework=…&dataType=…&alias=…&maxP99Ms=…: the model list filtered
// by facets, as on the Hugging Face Hub's model list, without typing. Every choice is a link state:
// choosing a value navigates to the new URL (a history entry), so the URL can be shared and the
// back button restores the previous filters. Choices come from catalogSummary, counts from
// modelFacets: the models each value would list, the other filters kept.
import { h, clear, message } from './dom.js';
import { facetChoices, models } from './browse-queries.js';

export const FACET_KEYS = ['task', 'experiment', 'framework', 'dataType', 'alias', 'maxP99Ms'];
const PAGE = 25;
const BUDGETS = [1, 10, 100];  // ms, p99 at batch size 1
let focusAfterRender = null;  // [facet, value] of the choice just made: focused again after the redraw

export function modelsHref(filters) {
  const q = new URLSearchParams();
  for (const key of FACET_KEYS) if (filters[key] !== undefined && filters[key] !== null && filters[key] !== '') q.set(key, filters[key]);
  const text = q.toString();
  return `#/models${text ? `?${text}` : ''}`;
}

export function filtersFrom(params) {
  const filters = {};
  for (const key of FACET_KEYS) if (params.get(key)) filters[key] = params.get(key);
  return filters;
}

// The API's ModelFilter: ids as given (bare ids are accepted), the budget as a number.
function apiFilter(filters) {
  const f = { ...filters };
  if (f.maxP99Ms !== undefined) f.maxP99Ms = Number(f.maxP99Ms);
  return f;
}

export async function renderModels(view, params) {
  const filters = filtersFrom(params);
  const aside = h('aside', { class: 'facets model-facets', 'aria-label': 'Filter models' }, h('p', { class: 'muted' }, 'Loading filters…'));
  const status = h('p', { class: 'muted result-count', role: 'status', 'aria-live': 'polite' });
  const list = h('ol', { class: 'model-list', 'aria-label': 'Models' });
  const more = h('div', { class: 'more' });
  clear(view, h('section', { class: 'models-page' },
    h('h1', { class: 'page-title' }, 'Models'),
    h('p', { class: 'lede' }, 'Narrow the list by task, experiment, framework, training data, alias or latency. The address keeps the filters: share it, or go back to undo one.'),
    h('div', { class: 'search-layout' }, aside, h('div', { class: 'model-results' }, active(filters), status, list, more))));

  const [choices, first] = await Promise.allSettled([facetChoices(apiFilter(filters), BUDGETS), models(apiFilter(filters), PAGE)]);
  if (choices.status === 'fulfilled') drawFacets(aside, choices.value, filters);
  else clear(aside, message('error', `Could not load the filters: ${choices.reason.message}`));
  if (first.status === 'rejected') {
    clear(status);
    clear(list, h('li', {}, message('error', `Could not list models: ${first.reason.message}`)));
    view.querySelector('.models-page').dataset.ready = 'true';
    return;
  }
  const page = first.value;
  status.textContent = `${page.total} model${page.total === 1 ? '' : 's'}`;
  drawPage(list, more, page, filters);
  if (!page.total) list.append(h('li', { class: 'muted empty' }, 'No model matches these filters.'));
  view.querySelector('.models-page').dataset.ready = 'true';
  refocus(aside);
}

function drawPage(list, more, page, filters) {
  for (const m of page.items) list.append(modelItem(m));
  clear(more);
  if (page.pageInfo.hasNextPage) {
    const button = h('button', { type: 'button', class: 'button' }, 'Show more models');
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const next = await models(apiFilter(filters), PAGE, page.pageInfo.endCursor);
        const firstNew = list.children.length;
        drawPage(list, more, next, filters);
        list.children[firstNew]?.querySelector('a')?.focus();
      } catch (err) {
        clear(more, message('error', `Could not load more: ${err.message}`));
      }
    });
    more.append(button);
  }
}

function modelItem(m) {
  const [, id] = m.id.split(/:(.*)/s);
  const versions = m.versions || [];
  const frameworks = [...new Set(versions.map((v) => v.framework).filter(Boolean))];
  const aliases = versions.flatMap((v) => (v.aliases || []).map((a) => `${a} ${v.version}`));
  const live = versions.filter((v) => !v.deprecationReason);
  return h('li', { class: 'model-item', dataset: { uid: m.id } },
    h('a', { class: 'result', href: `#/model/${encodeURIComponent(id)}` },
      h('span', { class: 'result-title' }, m.name),
      m.description ? h('span', { class: 'result-desc' }, m.description) : null,
      h('span', { class: 'result-tags' },
        (m.tasks || []).map((t) => h('span', { class: 'tag' }, t.name)),
        frameworks.map((f) => h('span', { class: 'tag', dataset: { framework: f } }, f)),
        h('span', { class: 'tag' }, `${versions.length} version${versions.length === 1 ? '' : 's'}`),
        live.length ? null : h('span', { class: 'tag warn' }, 'deprecated'),
        aliases.map((a) => h('span', { class: 'alias' }, a)))));
}

// Active filters as removable chips, each a link to the URL without it.
function active(filters) {
  const keys = Object.keys(filters);
  if (!keys.length) return null;
  return h('p', { class: 'active-filters' }, h('span', { class: 'muted' }, 'Filtered by '),
    keys.map((k) => h('a', { class: 'tag chip', href: modelsHref({ ...filters, [k]: null }), 'aria-label': `Remove filter ${k} ${filters[k]}` },
      `${label(k)}: ${filters[k]}${k === 'maxP99Ms' ? ' ms' : ''} ×`)),
    ' ', h('a', { href: modelsHref({}) }, 'Clear all'));
}

function label(key) {
  return { task: 'Task', experiment: 'Experiment', framework: 'Framework', dataType: 'Training data', alias: 'Alias (in use)', maxP99Ms: 'Latency p99 ≤' }[key];
}

// Each value with the models it would list given the other filters (0 when it is not in modelFacets).
function drawFacets(aside, { summary, counts }, filters) {
  const depth = taskDepths(summary.tasks);
  const n = (key, value) => (counts[key] || {})[value] ?? 0;
  clear(aside,
    facet('task', filters, summary.tasks.filter((t) => t.modelsInTree)
      .sort((a, b) => depth.order.get(a.task.id) - depth.order.get(b.task.id))
      .map((t) => [bare(t.task.id), t.task.name, n('task', t.task.id), depth.of.get(t.task.id)])),
    facet('experiment', filters, summary.experiments.map((e) => [bare(e.experiment.id), e.experiment.name, n('experiment', e.experiment.id)])),
    facet('framework', filters, summary.frameworks.filter((f) => f.framework).map((f) => [f.framework, f.framework, n('framework', f.framework)])),
    facet('dataType', filters, [['simulation', 'simulation'], ['data', 'recorded data']].map(([v, text]) => [v, text, n('dataType', v)])),
    facet('alias', filters, summary.aliases.map((a) => [a.alias, a.alias, n('alias', a.alias)])),
    facet('maxP99Ms', filters, BUDGETS.map((b) => [String(b), `≤ ${b} ms (p99, batch 1)`, n('maxP99Ms', String(b))])));
}

function bare(uid) {
  return uid.slice(uid.indexOf(':') + 1);
}

// Tasks in tree order (each after its parent), with their depth for indenting.
function taskDepths(tasks) {
  const byParent = new Map();
  for (const t of tasks) {
    const key = t.parent || '';
    if (!byParent.has(key)) byParent.set(key, []);
    byParent.get(key).push(t.task.id);
  }
  const order = new Map(); const of = new Map();
  const walk = (parent, d) => {
    for (const id of byParent.get(parent) || []) { order.set(id, order.size); of.set(id, d); walk(id, d + 1); }
  };
  walk('', 0);
  return { order, of };
}

// One facet: radio buttons (Any plus each value), each with the models it would list, the other
// facets kept (as on the Hugging Face Hub). Choosing one navigates to the URL with that value.
function facet(key, filters, values) {
  const name = `facet-${key}`;
  const current = filters[key] ?? '';
  const known = !current || values.some(([v]) => v === current);
  const choices = [['', 'Any'], ...values, ...(known ? [] : [[current, current]])];
  return h('fieldset', { class: 'facet', dataset: { facet: key } },
    h('legend', {}, label(key)),
    choices.map(([value, text, count, depth]) => {
      const id = `${name}-${value || 'any'}`.replace(/[^\w-]/g, '_');
      const radio = h('input', { type: 'radio', name, id, value, checked: value === current });
      radio.addEventListener('change', () => {
        focusAfterRender = [key, value];
        location.hash = modelsHref({ ...filters, [key]: value || null });
      });
      return h('label', { class: 'facet-value', for: id, style: depth ? `padding-left:${depth}rem` : null },
        radio, h('span', {}, text), count !== undefined
          ? h('span', { class: 'count', 'aria-label': `${count} model${count === 1 ? '' : 's'} with the other filters` }, count) : null);
    }));
}

function refocus(aside) {
  if (!focusAfterRender) return;
  const [key, value] = focusAfterRender;
  focusAfterRender = null;
  const radio = [...aside.querySelectorAll(`fieldset[data-facet="${key}"] input[type="radio"]`)].find((r) => r.value === value);
  if (radio) radio.focus();
}
