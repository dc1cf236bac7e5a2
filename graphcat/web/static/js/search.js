// #/search: results as you type (debounced), grouped by kind, facet filters, keyboard navigation.
import { h, clear, debounce, kindBadge, hrefFor, message } from './dom.js';
import { search } from './queries.js';

const FACETS = [
  ['task', 'Task'],
  ['experiment', 'Experiment'],
  ['detector', 'Detector'],
  ['framework', 'Framework'],
];

export function renderSearch(view, params) {
  const state = { text: params.get('q') || '', filters: {}, results: null, active: -1, seq: 0 };
  for (const [facet] of FACETS) if (params.get(facet)) state.filters[facet] = params.get(facet);

  const input = h('input', {
    type: 'search', id: 'search-input', class: 'search-input', placeholder: 'Search models, datasets, detectors, experiments…',
    autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Search the catalog', 'aria-controls': 'search-results',
    value: state.text,
  });
  const facets = h('aside', { class: 'facets', 'aria-label': 'Filters' });
  const results = h('div', { id: 'search-results', class: 'results', role: 'listbox', 'aria-label': 'Results' });
  const status = h('p', { class: 'muted result-count', 'aria-live': 'polite' });

  clear(view,
    h('section', { class: 'search-page' },
      h('h1', { class: 'page-title' }, 'Search the catalog'),
      h('p', { class: 'lede' }, 'Models, their versions, datasets, detectors and experiments. Type to search; ↑ ↓ to move, Enter to open.'),
      h('div', { class: 'search-bar' }, input),
      h('div', { class: 'search-layout' }, facets, h('div', {}, status, results))));

  const run = async () => {
    const seq = ++state.seq;
    syncUrl(state);
    if (!state.text.trim() && !Object.keys(state.filters).length) {
      clear(results, h('p', { class: 'muted' }, 'Start typing — e.g. “jet tagging”, “ParticleNet”, “CMS”.'));
      clear(status); clear(facets);
      return;
    }
    results.setAttribute('aria-busy', 'true');
    try {
      const data = await search(state.text.trim(), state.filters);
      if (seq !== state.seq) return; // a newer keystroke won
      state.results = data; state.active = -1;
      drawResults(results, status, data, state);
      drawFacets(facets, data.facets, state, run);
    } catch (err) {
      if (seq !== state.seq) return;
      clear(results, message('error', `Search failed: ${err.message}`));
    } finally {
      results.removeAttribute('aria-busy');
    }
  };
  const typed = debounce(run, 200);
  input.addEventListener('input', () => { state.text = input.value; typed(); });
  input.addEventListener('keydown', (ev) => keyboard(ev, results, state));
  input.focus();
  run();
}

function syncUrl(state) {
  const q = new URLSearchParams();
  if (state.text) q.set('q', state.text);
  for (const [k, v] of Object.entries(state.filters)) q.set(k, v);
  const hash = `#/search${q.toString() ? '?' + q : ''}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function drawResults(results, status, data, state) {
  const hits = data.hits;
  status.textContent = hits.length ? `${data.total ?? hits.length} result${(data.total ?? hits.length) === 1 ? '' : 's'}` : '';
  if (!hits.length) {
    clear(results, h('p', { class: 'muted empty' }, `Nothing matches “${state.text}”.`));
    return;
  }
  const groups = new Map();
  for (const hit of hits) {
    if (!groups.has(hit.kind)) groups.set(hit.kind, []);
    groups.get(hit.kind).push(hit);
  }
  // Hits come best first, so a group's place is that of its best hit.
  const ordered = [...groups.keys()];
  let index = 0;
  clear(results, ordered.map((kind) => h('section', { class: 'result-group', dataset: { kind } },
    h('h2', { class: 'group-title' }, kindBadge(kind), h('span', { class: 'muted' }, ` ${groups.get(kind).length}`)),
    h('ul', { class: 'result-list' }, groups.get(kind).map((hit) => {
      const href = hrefFor(hit.uid) || `#/lineage/${encodeURIComponent(hit.uid)}`;
      return h('li', {},
        h('a', { class: 'result', href, role: 'option', id: `result-${index++}`, dataset: { uid: hit.uid } },
          h('span', { class: 'result-title' }, hit.label),
          hit.description ? h('span', { class: 'result-desc' }, hit.description) : null,
          hit.tags && hit.tags.length ? h('span', { class: 'result-tags' }, hit.tags.map((t) => h('span', { class: 'tag' }, t))) : null));
    })))));
}

function drawFacets(facets, counts, state, rerun) {
  clear(facets);
  for (const [facet, title] of FACETS) {
    const values = (counts || []).find((f) => f.name === facet)?.values || [];
    if (!values.length && !state.filters[facet]) continue;
    facets.append(h('fieldset', { class: 'facet', dataset: { facet } },
      h('legend', {}, title),
      values.map(({ value, count }) => {
        const id = `facet-${facet}-${value}`;
        const box = h('input', { type: 'checkbox', id, checked: state.filters[facet] === value });
        box.addEventListener('change', () => {
          if (box.checked) state.filters[facet] = value; else delete state.filters[facet];
          rerun();
        });
        return h('label', { class: 'facet-value', for: id }, box, h('span', {}, value), h('span', { class: 'count' }, count));
      })));
  }
}

function keyboard(ev, results, state) {
  const items = [...results.querySelectorAll('a.result')];
  if (!items.length) return;
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    ev.preventDefault();
    state.active = ev.key === 'ArrowDown'
      ? Math.min(items.length - 1, state.active + 1)
      : Math.max(0, state.active - 1);
    items.forEach((el, i) => el.classList.toggle('active', i === state.active));
    items[state.active].scrollIntoView({ block: 'nearest' });
    ev.target.setAttribute('aria-activedescendant', items[state.active].id);
  } else if (ev.key === 'Enter') {
    ev.preventDefault();
    const target = items[Math.max(0, state.active)];
    location.hash = target.getAttribute('href');
  } else if (ev.key === 'Escape') {
    ev.target.value = ''; state.text = ''; ev.target.dispatchEvent(new Event('input'));
  }
}

