// The History tab of entity pages (issue 16): the entity's recorded changes, newest first — who
// (subject, API token, client address), when, what operation, and the state digests before and
// after — a page at a time, with a button for older changes. Loaded when the tab is first opened.
import { h, clear, message } from './dom.js';
import { history } from './queries.js';

export const HISTORY_PAGE = 20;

export function historyPanel(uid, pageSize = HISTORY_PAGE) {
  const rows = h('tbody', {});
  const status = h('p', { class: 'muted' }, 'Loading…');
  const more = h('button', { class: 'button', type: 'button', hidden: true }, 'Older changes');
  const card = h('section', { class: 'card', dataset: { section: 'history' } },
    h('h2', {}, 'History'),
    h('p', { class: 'muted small' }, 'Every recorded change of this entity, newest first (append-only).'),
    status,
    h('div', { class: 'table-scroll' }, h('table', { class: 'data history', hidden: true },
      h('thead', {}, h('tr', {}, ['When (UTC)', 'Who', 'Operation', 'Before', 'After', 'Source'].map((c) => h('th', { scope: 'col' }, c)))),
      rows)),
    more);
  const tableEl = card.querySelector('table');
  let cursor = null;
  let loaded = 0;

  async function load() {
    more.disabled = true;
    try {
      const page = await history(uid, pageSize, cursor);
      for (const { node: c } of page.edges) rows.append(changeRow(c));
      loaded += page.edges.length;
      cursor = page.pageInfo.endCursor;
      more.hidden = !page.pageInfo.hasNextPage;
      tableEl.hidden = loaded === 0;
      clear(status, loaded ? `${loaded} change${loaded === 1 ? '' : 's'} shown${page.pageInfo.hasNextPage ? ', older ones on request' : ''}.`
        : 'No change recorded.');
    } catch (err) {
      clear(status, message('error', `Could not load the history: ${err.message}`));
    } finally {
      more.disabled = false;
      card.dataset.ready = 'true';
    }
  }
  more.addEventListener('click', load);
  card.load = load;
  return card;
}

function changeRow(c) {
  const who = [c.actor.subject, c.actor.tokenId ? ` (token ${c.actor.tokenId})` : '', ` from ${c.actor.address}`];
  return h('tr', { dataset: { change: c.id, operation: c.operation } },
    h('td', {}, h('time', { datetime: c.at }, c.at.slice(0, 19).replace('T', ' '))),
    h('td', { class: 'who' }, who),
    h('td', {}, h('span', { class: 'tag' }, c.operation)),
    h('td', {}, digest(c.before)),
    h('td', {}, digest(c.after)),
    h('td', {}, c.source || '—'));
}

function digest(value) {
  return value ? h('code', { class: 'hash', title: value }, value.replace(/^sha256:/, '').slice(0, 12)) : '—';
}
