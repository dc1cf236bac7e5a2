// "Try the top 5" on #/for-my-data: after a file's recommendations, choose the label column from
// the file's columns and evaluate the top five recommended model versions on the file, each as an
// evaluation job (evaluateOnData with wait 0, then evaluationJob polled). The measured metric is
// shown beside the transferability estimate and the gap, ranked by the measured value.
// evaluateOnData needs role writer: a signed-in user's session (the controls are hidden when
// viewer.can says no), or else a pasted writer API token, kept for this tab only.
import { h, clear, entityLink, message, table } from './dom.js';
import { ApiError, graphql, graphqlUpload } from './api.js';
import { allowed, session } from './session.js';

export const TOP = 5;
const TOKEN_KEY = 'graphcat.apiToken';
const POLL_MS = 300;
const FINAL = ['DONE', 'FAILED', 'CANCELLED'];
const JOB = `id state rowsDone rowsTotal error { code message field }
  result { rows metrics { metric value low high estimate estimateLow estimateHigh estimateStatus gap } }`;
const START = `mutation TryModel($model: ID!, $file: Upload, $label: String!, $metrics: [String!], $record: Boolean!,
    $about: FileAboutInput) {
  evaluateOnData(modelVersion: $model, file: $file, label: $label, metrics: $metrics, record: $record, about: $about,
      wait: 0) {
    __typename
    ... on EvaluationJob { ${JOB} }
    ... on UserError { message code field }
  }
}`;
const POLL = `query EvaluationJob($id: ID!) {
  evaluationJob(id: $id) { __typename ... on EvaluationJob { ${JOB} } ... on UserError { message code } }
}`;

// The panel under the recommendations of `file` (`found`: {columns, items}).
export function tryTopPanel(file, found) {
  const columns = (found.columns || []).map((c) => c.name);
  const guess = columns.find((c) => /^(label|is_signal|signal|target|y|truth)$/i.test(c)) || columns[0];
  const label = h('select', { id: 'label-column' }, columns.map((c) => h('option', { value: c, selected: c === guess }, c)));
  const metric = h('select', { id: 'try-metric' }, ['auc', 'accuracy', 'mse'].map((m) => h('option', { value: m }, m)));
  const token = h('input', { type: 'password', id: 'api-token', placeholder: 'writer API token', autocomplete: 'off',
    value: sessionStorage.getItem(TOKEN_KEY) || '' });
  const record = h('input', { type: 'checkbox', id: 'try-record' });
  const out = h('div', { id: 'try-results', 'aria-live': 'polite' });
  const about = aboutForm();
  const top = (found.items || []).slice(0, TOP);
  const button = h('button', { type: 'button', class: 'button primary', id: 'try-top' }, `Try the top ${top.length}`);
  const who = session();
  button.addEventListener('click', () => {
    if (!who.signedIn) sessionStorage.setItem(TOKEN_KEY, token.value.trim());
    tryTop(out, file, top, { label: label.value, metric: metric.value, record: record.checked,
      token: who.signedIn ? null : token.value.trim(), signedIn: who.signedIn, about: about.read() });
  });
  const controls = h('div', { class: 'row' },
    h('label', {}, 'Label column ', label), h('label', {}, 'Metric ', metric),
    who.signedIn ? null : h('label', {}, token), h('label', {}, record, ' record the results'), button);
  const panel = h('section', { class: 'card try-top' },
    h('h2', {}, `Try the top ${top.length} on ${file.name}`),
    h('p', { class: 'muted small' }, 'Runs each model on your file in a worker and measures it against the label column you choose.'),
    controls, about.element, out);
  if (who.signedIn) {  // hidden until the server says this user may evaluate
    controls.hidden = true;
    allowed('evaluateOnData').then((ok) => {
      controls.hidden = !ok;
      if (!ok) clear(out, message('info', `Signed in as ${who.label}: trying models on the server needs role writer.`));
    }).catch((e) => clear(out, message('error', e.message)));
  }
  return panel;
}

async function tryTop(out, file, recs, opts) {
  if (!opts.token && !opts.signedIn) {
    clear(out, message('error', 'Paste a writer API token: evaluating runs models on the server.'));
    return;
  }
  const rows = recs.map((r, i) => ({ rec: r, rank: i + 1, state: 'STARTING', job: null, error: null }));
  const draw = () => drawResults(out, rows, opts.metric);
  draw();
  await Promise.all(rows.map(async (row) => {
    try {
      row.job = await start(row.rec.modelVersion.uid, file, opts);
      row.state = row.job.state;
      draw();
      while (!FINAL.includes(row.job.state)) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        row.job = await poll(row.job.id, opts.token);
        row.state = row.job.state;
        draw();
      }
      if (row.job.error) row.error = `${row.job.error.code}: ${row.job.error.message}`;
    } catch (err) {
      row.state = 'FAILED';
      row.error = err.message;
    }
    draw();
  }));
}

// What the file is, in the catalog's dataset-version terms (FileAboutInput): the estimate then
// targets the dataset version the file would become, and "record" records it with these conditions.
function aboutForm() {
  const type = h('select', { id: 'about-data-type' }, [['', '—'], ['simulation', 'simulation'], ['data', 'data']]
    .map(([v, t]) => h('option', { value: v }, t)));
  const sqrtS = h('input', { type: 'number', id: 'about-sqrt-s', step: 'any', min: '0', placeholder: '13.6' });
  const generator = h('input', { type: 'text', id: 'about-generator', placeholder: 'Pythia 8' });
  const runPeriod = h('input', { type: 'text', id: 'about-run-period', placeholder: 'Run 3' });
  const detector = h('input', { type: 'text', id: 'about-detector', placeholder: 'detector id, e.g. cms' });
  const element = h('details', { class: 'about-file' }, h('summary', {}, 'About this file (optional)'),
    h('div', { class: 'row' }, h('label', {}, 'Data type ', type), h('label', {}, '√s [TeV] ', sqrtS),
      h('label', {}, 'Generator ', generator), h('label', {}, 'Run period ', runPeriod),
      h('label', {}, 'Detector ', detector)));
  const read = () => {
    const conditions = {};
    if (sqrtS.value !== '') conditions.sqrtSTev = Number(sqrtS.value);
    if (generator.value.trim()) conditions.generator = generator.value.trim();
    if (runPeriod.value.trim()) conditions.runPeriod = runPeriod.value.trim();
    const out = {};
    if (type.value) out.dataType = type.value;
    if (Object.keys(conditions).length) out.conditions = conditions;
    if (detector.value.trim()) out[type.value === 'data' ? 'recordedWith' : 'simulatedWith'] = [detector.value.trim()];
    return Object.keys(out).length ? out : null;
  };
  return { element, read };
}

async function start(model, file, { label, metric, record, token, about }) {
  const data = await graphqlUpload(START, { model, label, metrics: [metric], record, about }, file, token);
  const r = data.evaluateOnData;
  if (r.__typename !== 'EvaluationJob') throw new ApiError(`${r.code}: ${r.message}`);
  return r;
}

async function poll(id, token) {
  const r = (await graphql(POLL, { id }, token)).evaluationJob;
  if (r.__typename !== 'EvaluationJob') throw new ApiError(`${r.code}: ${r.message}`);
  return r;
}

const fmt = (v) => (v === null || v === undefined ? '—' : v.toFixed(3));

// Ranked by the measured value (best first: lower for mse); rows not measured (yet) come last.
function drawResults(out, rows, metric) {
  const lower = metric === 'mse';
  const measured = (row) => row.job?.result?.metrics?.[0] ?? null;
  const sorted = [...rows].sort((a, b) => {
    const ma = measured(a), mb = measured(b);
    if (!ma || !mb) return (ma ? 0 : 1) - (mb ? 0 : 1) || a.rank - b.rank;
    return lower ? ma.value - mb.value : mb.value - ma.value;
  });
  clear(out, table(['#', 'Model version', 'Recommended', `Measured ${metric}`, 'Estimated', 'Gap', 'State'],
    sorted.map((row, i) => {
      const m = measured(row);
      const progress = row.job && !FINAL.includes(row.state)
        ? ` ${row.job.rowsDone}${row.job.rowsTotal ? ` / ${row.job.rowsTotal}` : ''} rows` : '';
      return [
        h('span', { class: 'rank' }, m ? `#${i + 1}` : '—'),
        entityLink(row.rec.modelVersion.uid, row.rec.modelVersion.display),
        `#${row.rank}`,
        m ? h('span', { class: 'num measured', title: `95% bootstrap ${fmt(m.low)} .. ${fmt(m.high)}` }, fmt(m.value)) : '—',
        m ? (m.estimate !== null ? `${fmt(m.estimate)} [${fmt(m.estimateLow)}, ${fmt(m.estimateHigh)}]`
          : (m.estimateStatus || 'no estimate')) : '—',
        m && m.gap !== null ? h('span', { class: 'num gap' }, `${m.gap >= 0 ? '+' : ''}${fmt(m.gap)}`) : '—',
        h('span', { class: `job-state state-${row.state.toLowerCase()}`, title: row.error || '' },
          row.error ? `${row.state.toLowerCase()}: ${row.error}` : `${row.state.toLowerCase()}${progress}`),
      ];
    })));
  out.querySelector('tbody')?.querySelectorAll('tr').forEach((tr, i) => { tr.dataset.uid = sorted[i].rec.modelVersion.uid; });
}
