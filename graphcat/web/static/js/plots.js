// Plain SVG charts built here (no plotting library): horizontal bars with their values written
// beside them, so the numbers stay readable and the chart needs no axis.
const SVG = 'http://www.w3.org/2000/svg';

function el(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// bars: [{label, value, key}]; values of one quantity. Scaled from 0 to 1 when every value lies
// there (AUC, accuracy) and `fromZeroToOne`, else from 0 to the largest value.
export function barChart(title, bars, format = (v) => v.toPrecision(4), { fromZeroToOne = true } = {}) {
  const row = 22; const labelW = 260; const barW = 280; const pad = 6;
  const height = bars.length * row + pad * 2;
  const top = fromZeroToOne && bars.every((b) => b.value >= 0 && b.value <= 1) ? 1 : Math.max(...bars.map((b) => b.value), 1e-12);
  const svg = el('svg', { class: 'bar-chart', role: 'img', 'aria-label': `${title}: ${bars.map((b) => `${b.label} ${format(b.value)}`).join('; ')}`,
    viewBox: `0 0 ${labelW + barW + 70} ${height}`, width: '100%', preserveAspectRatio: 'xMinYMin meet' });
  svg.append(el('title', {}, title));
  bars.forEach((b, i) => {
    const y = pad + i * row;
    const w = Math.max(1, (Math.max(0, b.value) / top) * barW);
    svg.append(el('text', { x: labelW - 6, y: y + row * 0.68, 'text-anchor': 'end', class: 'bar-label' },
      b.label.length > 40 ? `${b.label.slice(0, 39)}…` : b.label));
    svg.append(el('rect', { x: labelW, y: y + 3, width: w.toFixed(1), height: row - 6, rx: 3, class: 'bar', 'data-key': b.key, 'data-value': b.value }));
    svg.append(el('text', { x: labelW + w + 4, y: y + row * 0.68, class: 'bar-value' }, format(b.value)));
  });
  return svg;
}

// A model's evaluations grouped by metric: one chart per metric, a bar per version and dataset.
export function metricCharts(versions) {
  const byMetric = new Map();
  for (const v of versions) {
    for (const e of v.evaluations || []) {
      if (typeof e.value !== 'number') continue;
      if (!byMetric.has(e.metric)) byMetric.set(e.metric, []);
      const dataset = e.dataset ? e.dataset.display : '—';
      byMetric.get(e.metric).push({ label: `${v.version} on ${dataset}`, value: e.value, key: `${v.version}|${dataset}` });
    }
  }
  return [...byMetric].map(([metric, bars]) => ({ metric, chart: barChart(metric, bars) }));
}
