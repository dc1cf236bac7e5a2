// What differs between two model versions: inputs, hyperparameters, training data and metrics,
// each as rows {key, a, b, change} with change one of same, changed, added (only in B),
// removed (only in A). Values are display strings ('' when absent).
import { shapeText } from './dom.js';

function row(key, a, b) {
  const change = a === b ? 'same' : a === '' ? 'added' : b === '' ? 'removed' : 'changed';
  return { key, a, b, change };
}

function keyed(aMap, bMap) {
  const keys = [...new Set([...aMap.keys(), ...bMap.keys()])];
  return keys.map((k) => row(k, aMap.get(k) ?? '', bMap.get(k) ?? ''));
}

function featureText(f) {
  return [f.dtype, shapeText(f.shapeGiven), f.unit].filter(Boolean).join(' ');
}

export function inputsDiff(a, b) {
  const m = (v) => new Map((v.inputs || []).map((f) => [f.name, featureText(f)]));
  return keyed(m(a), m(b));
}

function plain(v) {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function hyperparametersDiff(a, b) {
  const m = (v) => {
    const hp = v.hyperparameters || {};
    const out = new Map();
    for (const [k, label] of [['learningRate', 'learning rate'], ['batchSize', 'batch size'], ['epochs', 'epochs'], ['optimizer', 'optimizer']]) {
      if (plain(hp[k])) out.set(label, plain(hp[k]));
    }
    for (const [k, val] of Object.entries(hp.extra || {}).sort()) out.set(k, plain(val));
    return out;
  };
  return keyed(m(a), m(b));
}

export function trainingDataDiff(a, b) {
  const m = (v) => new Map((v.datasets || []).map((d) => [d.id, d.display]));
  return keyed(m(a), m(b));
}

function number(v) {
  return typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4)) : plain(v);
}

// One row per (metric, dataset); `delta` is B - A where both were measured.
export function metricsDiff(a, b) {
  const m = (v) => new Map((v.evaluations || []).map((e) => [`${e.metric} on ${e.dataset ? e.dataset.display : '—'}`, e.value]));
  const am = m(a); const bm = m(b);
  return keyed(new Map([...am].map(([k, x]) => [k, number(x)])), new Map([...bm].map(([k, x]) => [k, number(x)])))
    .map((r) => {
      const x = am.get(r.key); const y = bm.get(r.key);
      return { ...r, delta: typeof x === 'number' && typeof y === 'number' ? y - x : null };
    });
}

export const SECTIONS = [
  ['Inputs', 'inputs', inputsDiff],
  ['Hyperparameters', 'hyperparameters', hyperparametersDiff],
  ['Training data', 'training-data', trainingDataDiff],
  ['Metrics', 'metrics', metricsDiff],
];
