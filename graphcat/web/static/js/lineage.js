// #/lineage/<uid>: an interactive graph centred on one entity, drawn with Cytoscape.js.
// Expand upstream/downstream one step at a time, filter relationship types, colour by kind,
// click a node to see it and open its page. Large graphs use Cytoscape's cheap rendering paths.
import cytoscape from '../vendor/cytoscape.esm.min.js';
import { h, clear, kindBadge, hrefFor, message, splitUid, KIND_COLOURS, KINDS } from './dom.js';
import { lineage, LINEAGE_STEP_LIMIT, LINEAGE_TYPES } from './queries.js';

// Above this many nodes the explorer switches to the cheap layout and viewport shortcuts.
const LARGE = 150;

export async function renderLineage(view, uid) {
  const types = new Set(LINEAGE_TYPES);
  const status = h('p', { class: 'graph-status', 'aria-live': 'polite' });
  const panel = h('aside', { class: 'graph-panel' });
  const canvas = h('div', { id: 'lineage-graph', class: 'graph-canvas', role: 'img', 'aria-label': `Lineage graph of ${uid}` });
  const filters = h('fieldset', { class: 'rel-filters' }, h('legend', {}, 'Relationships'),
    LINEAGE_TYPES.map((type) => {
      const box = h('input', { type: 'checkbox', checked: true, value: type, dataset: { rel: type } });
      box.addEventListener('change', () => { box.checked ? types.add(type) : types.delete(type); applyFilter(); });
      return h('label', {}, box, ' ', type.replaceAll('_', ' ').toLowerCase());
    }));
  const legend = h('div', { class: 'legend' }, Object.keys(KIND_COLOURS).filter((k) => !['feature', 'owner'].includes(k))
    .map((k) => h('span', { class: 'legend-item' }, h('span', { class: 'dot', style: `background:${KIND_COLOURS[k]}` }), KINDS[k].label)));

  clear(view, h('section', { class: 'lineage-page' },
    h('header', { class: 'lineage-header' },
      h('div', {}, h('h1', { class: 'page-title' }, 'Lineage'), h('p', { class: 'muted' }, 'Centred on ', entityTitle(uid))),
      status),
    h('div', { class: 'lineage-layout' },
      h('div', { class: 'graph-side' }, filters, legend),
      canvas, panel)));

  let graph;
  try {
    graph = await lineage(uid, 'BOTH', 1, null);
  } catch (err) {
    clear(canvas, message('error', `Could not load the lineage of ${uid}: ${err.message}`));
    return;
  }
  if (!graph) {
    clear(canvas, message('error', `No entity ${uid} in the catalog.`));
    return;
  }

  const cy = cytoscape({
    container: canvas,
    elements: [],
    style: graphStyle(),
    minZoom: 0.05,
    maxZoom: 3,
    boxSelectionEnabled: false,
    // Responsiveness with hundreds of nodes: draw a bitmap while panning/zooming, skip edges then.
    textureOnViewport: true,
    hideEdgesOnViewport: true,
    motionBlur: false,
    pixelRatio: 1,
  });
  // Which nodes were expanded in which direction (a step is fetched once).
  const expanded = { UPSTREAM: new Set(), DOWNSTREAM: new Set() };
  let truncated = Boolean(graph.truncated);  // some step was cut at LINEAGE_STEP_LIMIT nodes
  expanded.UPSTREAM.add(uid); expanded.DOWNSTREAM.add(uid);

  const add = (sub) => {
    const before = cy.elements().length;
    cy.batch(() => {
      for (const n of sub.nodes) {
        if (cy.getElementById(n.uid).nonempty()) continue;
        cy.add({ group: 'nodes', data: { id: n.uid, label: shorten(n.label), full: n.label, kind: n.kind, colour: KIND_COLOURS[n.kind] || '#475569' } });
      }
      for (const e of sub.edges) {
        const id = `${e.from}|${e.type}|${e.to}`;
        if (cy.getElementById(id).nonempty()) continue;
        if (cy.getElementById(e.from).empty() || cy.getElementById(e.to).empty()) continue;
        cy.add({ group: 'edges', data: { id, source: e.from, target: e.to, type: e.type, label: e.type.replaceAll('_', ' ').toLowerCase() } });
      }
    });
    cy.getElementById(uid).addClass('centre');
    return cy.elements().length - before;
  };

  const layout = () => {
    const n = cy.nodes().length;
    canvas.classList.toggle('large', n > LARGE);
    cy.elements().toggleClass('compact', n > LARGE);
    // Edges point from the dependent to what it depends on; a directed breadth-first layout
    // walks them from the roots (nothing in view depends on them), so sources sit at the bottom. A concentric layout keyed on distance is cheap for big graphs.
    const eles = cy.elements().filter((x) => x.style('display') !== 'none');
    const opts = n > LARGE
      ? { name: 'concentric', animate: false, minNodeSpacing: 4, concentric: (node) => -distance(node), levelWidth: () => 1 }
      : { name: 'breadthfirst', directed: true, animate: false, spacingFactor: 1.1,
        roots: eles.nodes().filter((x) => x.incomers('edge').intersection(eles).empty()) };
    eles.layout({ ...opts, fit: true, padding: 30 }).run();
    updateStatus();
  };
  const distances = () => {
    const dij = cy.elements().dijkstra({ root: cy.getElementById(uid), directed: false });
    cy.nodes().forEach((node) => node.scratch('_gc_dist', dij.distanceTo(node)));
  };
  const distance = (node) => {
    const d = node.scratch('_gc_dist');
    return Number.isFinite(d) ? d : 99;
  };

  const applyFilter = () => {
    cy.batch(() => {
      cy.edges().forEach((e) => e.style('display', types.has(e.data('type')) ? 'element' : 'none'));
      // A node with no visible edge is out of view, unless it is the centre.
      cy.nodes().forEach((node) => {
        const keep = node.id() === uid || node.connectedEdges().some((e) => types.has(e.data('type')));
        node.style('display', keep ? 'element' : 'none');
      });
    });
    layout();
  };

  function updateStatus() {
    const nodes = cy.nodes(':visible').length;
    const edges = cy.edges(':visible').length;
    status.textContent = `${nodes} node${nodes === 1 ? '' : 's'} · ${edges} edge${edges === 1 ? '' : 's'}`
      + (truncated ? ` · a step reached more than ${LINEAGE_STEP_LIMIT} nodes: the nearest are drawn` : '');
    status.dataset.truncated = String(truncated);
    status.dataset.nodes = String(nodes);
    status.dataset.edges = String(edges);
    canvas.dataset.nodes = String(cy.nodes().length);
  }

  const expand = async (node, direction) => {
    const id = node.id();
    if (expanded[direction].has(id)) return;
    panel.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    try {
      const sub = await lineage(id, direction, 1, [...types]);
      truncated = truncated || sub.truncated;
      expanded[direction].add(id);
      const added = add(sub);
      distances();
      layout();
      showPanel(node, added);
    } catch (err) {
      panel.append(message('error', `Could not expand: ${err.message}`));
    }
  };

  function showPanel(node, added = null) {
    const id = node.id();
    const [kind] = splitUid(id);
    const href = hrefFor(id);
    const step = (direction, text) => h('button', {
      type: 'button', class: 'button', dataset: { expand: direction.toLowerCase() },
      disabled: expanded[direction].has(id), onclick: () => expand(node, direction),
    }, expanded[direction].has(id) ? `${text} ✓` : text);
    clear(panel,
      h('div', { class: 'panel-kind' }, kindBadge(kind)),
      h('h2', { class: 'panel-title' }, node.data('full')),
      h('p', { class: 'muted mono' }, id),
      href ? h('p', {}, h('a', { class: 'button primary', href, id: 'open-entity' }, 'Open page →')) : null,
      h('div', { class: 'panel-actions' }, step('UPSTREAM', '↑ Expand upstream'), step('DOWNSTREAM', '↓ Expand downstream')),
      h('p', {}, h('a', { href: `#/lineage/${encodeURIComponent(id)}` }, 'Centre the graph here')),
      added === null ? null : h('p', { class: 'muted' }, `${added} element${added === 1 ? '' : 's'} added.`));
  }

  cy.on('tap', 'node', (ev) => {
    cy.nodes().removeClass('selected');
    ev.target.addClass('selected');
    showPanel(ev.target);
  });
  // Double-click opens the entity's page directly.
  cy.on('dbltap', 'node', (ev) => {
    const href = hrefFor(ev.target.id());
    if (href) location.hash = href;
  });

  add(graph);
  distances();
  layout();
  const centre = cy.getElementById(uid);
  centre.addClass('selected');
  showPanel(centre);
  // Tests and power users reach the instance through the canvas element.
  canvas.cy = cy;
  canvas.dataset.ready = 'true';
}

function entityTitle(uid) {
  const href = hrefFor(uid);
  return href ? h('a', { href }, uid) : h('code', {}, uid);
}

function shorten(label) {
  return label.length > 32 ? `${label.slice(0, 30)}…` : label;
}

function graphStyle() {
  return [
    { selector: 'node', style: {
      'background-color': 'data(colour)', label: 'data(label)', color: '#1f2937', 'font-size': 11,
      'font-family': 'Inter, system-ui, sans-serif', 'text-valign': 'bottom', 'text-margin-y': 4,
      width: 22, height: 22, 'border-width': 2, 'border-color': '#ffffff',
      'text-background-color': '#ffffff', 'text-background-opacity': 0.8, 'text-background-padding': 2,
      'min-zoomed-font-size': 8,
    } },
    { selector: 'node.compact', style: { width: 12, height: 12, 'font-size': 9, 'border-width': 1 } },
    { selector: 'node.centre', style: { width: 34, height: 34, 'border-width': 4, 'border-color': '#0f172a', 'font-weight': 'bold' } },
    { selector: 'node.selected', style: { 'overlay-color': '#0ea5e9', 'overlay-opacity': 0.25, 'overlay-padding': 6 } },
    { selector: 'edge', style: {
      width: 1.5, 'line-color': '#94a3b8', 'target-arrow-color': '#94a3b8', 'target-arrow-shape': 'triangle',
      'curve-style': 'bezier', 'arrow-scale': 0.8, label: 'data(label)', 'font-size': 8, color: '#64748b',
      'text-rotation': 'autorotate', 'min-zoomed-font-size': 10,
    } },
    // Straight haystack edges cost far less to draw when there are hundreds.
    { selector: 'edge.compact', style: { 'curve-style': 'haystack', label: '' } },
  ];
}
