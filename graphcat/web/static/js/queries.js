// Every GraphQL operation the page sends, in one place, each returning plain objects the views
// draw. The views never build query text.
import { graphql, graphqlUpload } from './api.js';

export const LINEAGE_TYPES = [
  'TRAINED_ON', 'FINE_TUNED_FROM', 'DISTILLED_FROM', 'QUANTIZED_FROM', 'CONVERTED_FROM',
  'DERIVED_FROM', 'RECORDED_WITH', 'SIMULATED_WITH', 'EVALUATES', 'EVALUATED_ON',
];

const SEARCH = `query Search($text: String!, $kinds: [String!], $filters: SearchFilters, $first: Int) {
  search(text: $text, kinds: $kinds, filters: $filters, first: $first) {
    total
    hits { uid kind label description tags }
    facets { name values { value count } }
  }
}`;

export async function search(text, filters) {
  const data = await graphql(SEARCH, { text, kinds: null, filters, first: 50 });
  return data.search;
}

// Entities come from Relay's node(id:); catalog uids are the global ids. The views read `uid`.
const ENTITY = `query Entity($id: ID!) { entity: node(id: $id) {
  id
  ... on ModelVersion {
    display version description createdAt framework format license artifactUri aliases deprecationReason
    model { id display name }
    tasks { id display name }
    datasets { id display }
    evaluations { metric value date sourceUrl notes dataset { id display } }
  }
  ... on DatasetVersion {
    display version description createdAt format location doi numEvents dataType
    conditions { sqrtSTev pileupMean runPeriod generator tune detectorSimulation kinematicRange }
    detectors { id display }
  }
  ... on Detector { display name description kind }
  ... on Experiment { display name description url }
} }`;

export async function entity(kind, id) {
  const data = await graphql(ENTITY, { id: `${kind}:${id}` });
  return data.entity ? withUids(data.entity) : null;
}

// The page names catalog uids `uid`; the API calls them `id` (Relay global ids).
function withUids(value) {
  if (Array.isArray(value)) return value.map(withUids);
  if (!value || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) out[k === 'id' ? 'uid' : k] = withUids(v);
  return out;
}

const LINEAGE = `query Lineage($id: ID!, $direction: LineageDirection!, $depth: Int!, $types: [String!]) {
  lineage(id: $id, direction: $direction, depth: $depth, types: $types) {
    nodes { id kind label depth }
    edges { type from to }
  }
}`;

// The start node and its neighbours `depth` steps away (nodes {uid, kind, label}, edges
// {type, from, to}); null when the uid is unknown (the start node is then missing).
export async function lineage(uid, direction, depth, types) {
  const data = await graphql(LINEAGE, { id: uid, direction, depth, types });
  const graph = withUids(data.lineage);
  return graph.nodes.some((n) => n.uid === uid) ? graph : null;
}

const RECOMMENDATION = `score explanation
  modelVersion { id display deprecationReason }
  mapping { userColumn modelInput score note }`;

const RECOMMEND_COLUMNS = `query ($columns: [ColumnInput!]!, $task: String, $first: Int) {
  recommendModels(columns: $columns, task: $task, first: $first) { ${RECOMMENDATION} }
}`;
const RECOMMEND_FILE = `mutation ($file: Upload!, $task: String, $first: Int) {
  recommendModelsForFile(file: $file, task: $task, first: $first) { ${RECOMMENDATION} }
}`;

export async function recommendForColumns(columns, task) {
  return withUids((await graphql(RECOMMEND_COLUMNS, { columns, task, first: 10 })).recommendModels);
}

export async function recommendForFile(file, task) {
  return withUids((await graphqlUpload(RECOMMEND_FILE, { task, first: 10 }, file)).recommendModelsForFile);
}
