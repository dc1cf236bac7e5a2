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

// A metric history (quality monitoring): the points oldest first, evenly spaced, joined by a line,
// each labelled below (run period or dataset version) and with its value above; the expected band
// (low..high, either side may be open) shaded behind them. points: [{label, value, key}].
export function lineChart(title, points, band, format = (v) => v.toPrecision(4)) {
  const w = 560; const hgt = 200; const left = 50; const right = 20; const top = 20; const bottom = 40;
  const values = points.map((p) => p.value);
  const edges = [band && band.low, band && band.high].filter((v) => typeof v === 'number');
  let lo = Math.min(...values, ...edges); let hi = Math.max(...values, ...edges);
  if (hi - lo < 1e-9) { lo -= 0.05; hi += 0.05; }
  const span = hi - lo; lo -= span * 0.1; hi += span * 0.1;
  const y = (v) => top + (1 - (v - lo) / (hi - lo)) * (hgt - top - bottom);
  const x = (i) => left + (points.length === 1 ? (w - left - right) / 2 : (i * (w - left - right)) / (points.length - 1));
  const svg = el('svg', { class: 'line-chart', role: 'img', viewBox: `0 0 ${w} ${hgt}`, width: '100%', preserveAspectRatio: 'xMinYMin meet',
    'aria-label': `${title}: ${points.map((p) => `${p.label} ${format(p.value)}`).join('; ')}` });
  svg.append(el('title', {}, title));
  if (band && edges.length) {
    const yHigh = typeof band.high === 'number' ? y(band.high) : top;
    const yLow = typeof band.low === 'number' ? y(band.low) : hgt - bottom;
    svg.append(el('rect', { x: left, y: yHigh.toFixed(1), width: w - left - right, height: Math.max(1, yLow - yHigh).toFixed(1),
      class: 'band', 'data-low': band.low ?? '', 'data-high': band.high ?? '' }));
  }
  svg.append(el('line', { x1: left, y1: hgt - bottom, x2: w - right, y2: hgt - bottom, class: 'axis' }));
  for (const v of [lo + span * 0.1, hi - span * 0.1]) {
    svg.append(el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis-label' }, format(v)));
  }
  svg.append(el('polyline', { points: points.map((p, i) => `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' '), class: 'line' }));
  points.forEach((p, i) => {
    svg.append(el('circle', { cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: 4, class: `point${p.outside ? ' outside' : ''}`,
      'data-key': p.key, 'data-value': p.value }));
    svg.append(el('text', { x: x(i), y: y(p.value) - 8, 'text-anchor': 'middle', class: 'point-value' }, format(p.value)));
    svg.append(el('text', { x: x(i), y: hgt - bottom + 16, 'text-anchor': 'middle', class: 'point-label' },
      p.label.length > 18 ? `${p.label.slice(0, 17)}…` : p.label));
  });
  return svg;
}
