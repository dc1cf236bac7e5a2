// #/for-my-data: drop or choose a data file, or paste column names; see ranked models with
// their scores and how each of the user's columns maps onto the model's inputs.
import { h, clear, entityLink, message, kindBadge, table, shapeText } from './dom.js';
import { recommendForColumns, recommendForFile } from './queries.js';
import { tryTopPanel } from './trytop.js';

const ACCEPT = '.csv,.tsv,.parquet,.pq,.h5,.hdf5,.hdf,.root,.npz';

export function renderForMyData(view) {
  const fileInput = h('input', { type: 'file', id: 'data-file', accept: ACCEPT, class: 'visually-hidden' });
  const drop = h('label', { class: 'dropzone', for: 'data-file', tabindex: '0' },
    h('strong', {}, 'Drop a data file here'), h('span', {}, ' or click to choose one'),
    h('span', { class: 'muted small' }, 'CSV, Parquet, HDF5, ROOT or npz — only its schema is read'));
  const columns = h('textarea', {
    id: 'columns-input', rows: '5', spellcheck: 'false',
    placeholder: 'jet_pt, jet_eta, jet_phi, jet_mass\nor one per line, optionally name:dtype',
  });
  const task = h('input', { type: 'text', id: 'task-input', placeholder: 'optional task, e.g. jet-tagging' });
  const results = h('div', { id: 'recommendations', 'aria-live': 'polite' });
  const form = h('form', { class: 'card for-my-data-form' },
    h('div', { class: 'fmd-grid' },
      h('div', {}, h('h2', {}, 'A file'), drop, fileInput),
      h('div', {}, h('h2', {}, 'Or column names'), columns,
        h('div', { class: 'row' }, task, h('button', { type: 'submit', class: 'button primary' }, 'Recommend models')))));

  clear(view, h('section', { class: 'fmd-page' },
    h('h1', { class: 'page-title' }, 'Models for my data'),
    h('p', { class: 'lede' }, 'Which registered models can consume your data? graphcat reads the columns of your file and ranks model versions by how well their inputs match, with the column mapping it found.'),
    form, results));

  const run = async (work, what, file = null) => {
    clear(results, h('p', { class: 'muted' }, `Reading ${what}…`));
    try {
      drawRecommendations(results, await work(), file);
    } catch (err) {
      clear(results, message('error', err.message));
    }
  };
  const useFile = (file) => {
    if (!file) return;
    drop.querySelector('strong').textContent = file.name;
    run(() => recommendForFile(file, task.value.trim() || null), file.name, file);
  };
  fileInput.addEventListener('change', () => useFile(fileInput.files[0]));
  for (const evt of ['dragenter', 'dragover']) drop.addEventListener(evt, (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  for (const evt of ['dragleave', 'drop']) drop.addEventListener(evt, () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => { ev.preventDefault(); useFile(ev.dataTransfer.files[0]); });
  drop.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); fileInput.click(); } });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const cols = parseColumns(columns.value);
    if (!cols.length) {
      clear(results, message('error', 'Paste at least one column name, or choose a file.'));
      return;
    }
    run(() => recommendForColumns(cols, task.value.trim() || null), `${cols.length} columns`);
  });
}

// "name" or "name:dtype", separated by commas, whitespace or new lines.
export function parseColumns(text) {
  return text.split(/[\s,;]+/).map((t) => t.trim()).filter(Boolean).map((t) => {
    const [name, dtype] = t.split(':');
    return dtype ? { name, dtype } : { name };
  });
}

// `found`: {source, columns, items}. The columns as read come first, so a user sees what graphcat
// understood of the file before the ranking built on it.
// After a file's recommendations: the "Try the top 5" panel (trytop.js).
function drawRecommendations(results, found, file = null) {
  const columns = found.columns || [];
  const read = h('details', { class: 'card columns-read', dataset: { columns: String(columns.length) } },
    h('summary', {}, `${columns.length} column${columns.length === 1 ? '' : 's'} read${found.source ? ` from ${found.source}` : ''}`),
    table(['Column', 'dtype', 'Shape'], columns.map((c) => [h('code', {}, c.name), c.dtype, shapeText(c.shape)])));
  const recs = found.items || [];
  if (!recs.length) {
    clear(results, read, message('info', 'No registered model consumes data like this.'));
    return;
  }
  clear(results, read, file ? tryTopPanel(file, found) : null, h('ol', { class: 'recommendations' }, recs.map((r, i) => h('li', { class: 'card rec', dataset: { uid: r.modelVersion.uid } },
    h('div', { class: 'rec-head' },
      h('span', { class: 'rank' }, `#${i + 1}`),
      kindBadge('model_version'),
      h('h2', { class: 'rec-title' }, entityLink(r.modelVersion.uid, r.modelVersion.display)),
      h('span', { class: 'score', title: 'match score (0–1)' }, r.score.toFixed(2)),
      r.modelVersion.deprecationReason ? h('span', { class: 'tag warn' }, 'deprecated') : null),
    r.explanation ? h('p', { class: 'muted' }, r.explanation) : null,
    h('details', { class: 'mapping', open: i === 0 },
      h('summary', {}, `Column mapping (${r.mapping.length})`),
      table(['Your column', 'Model input', 'Fit', 'Note'],
        r.mapping.map((m) => [h('code', {}, m.userColumn ?? '—'), h('code', {}, m.modelInput), h('span', { class: 'num' }, m.score.toFixed(2)), m.note]),
        { empty: 'No column maps onto this model.' }),
      r.unusedColumns && r.unusedColumns.length
        ? h('p', { class: 'muted small' }, 'Unused columns: ', r.unusedColumns.map((c, j) => [j ? ', ' : '', h('code', {}, c)]))
        : null)))));
}
