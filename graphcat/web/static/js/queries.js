// Every GraphQL operation the page sends, in one place, each returning plain objects the views
// draw. The views never build query text.
import { ApiError, graphql, graphqlUpload } from './api.js';

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
const FEATURE = 'name dtype shape shapeGiven kind unit description position';
const ENTITY = `query Entity($id: ID!) { entity: node(id: $id) {
  id
  ... on ModelVersion {
    display version description createdAt framework format license aliases deprecationReason
    artifact { uri sha256 sizeBytes }
    model { id display name }
    owner { id display name kind url }
    publications { id display title year arxiv doi url }
    tasks { id display name }
    datasets { id display }
    lineageFrom { type modelVersion { id display } }
    inputs { ${FEATURE} }
    outputs { ${FEATURE} }
    hyperparameters { learningRate batchSize epochs optimizer extra }
    reproducibility { codeRepository commit environment trainingConfig seed }
    evaluations { metric value date sourceUrl notes dataset { id display } source { id display url } }
    deployment {
      onnxOpset onnxIrVersion onnxProducer
      smokeTests { ok error batch onnxruntimeVersion ranAt }
      benchmarks { batch p50Ms p99Ms meanMs threads runtime runtimeVersion measuredAt hardware { id cpuModel cores arch } }
      quantizedFrom { method weightType events maxAbsDiff argmaxAgreement original { id display } }
      quantizedVersions { id display }
    }
  }
  ... on DatasetVersion {
    display version description createdAt format location doi digest sizeBytes numEvents dataType
    dataset { id slug display name owner { id display name } publications { id display title url } }
    conditions { sqrtSTev pileupMean runPeriod generator tune detectorSimulation kinematicRange }
    detectors { id display }
    features { ${FEATURE} }
    derivedFrom { kind datasetVersion { id display } }
    derivatives { kind datasetVersion { id display } }
    trainedModels { id display }
    evaluations { metric value date sourceUrl notes modelVersion { id display } }
  }
  ... on Detector { display name description kind experiment { id display } datasetVersions { id display } }
  ... on Experiment { display name description url detectors { id display } }
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

const LINEAGE = `query Lineage($id: ID!, $direction: LineageDirection!, $depth: Int!, $types: [String!], $limit: Int) {
  lineage(id: $id, direction: $direction, depth: $depth, types: $types, limit: $limit) {
    nodes { id kind label depth }
    edges { type from to }
    truncated
  }
}`;

// The explorer draws up to this many nodes per step (the API's default answer is smaller; a hub
// dataset's neighbourhood has thousands): the nearest are drawn and the page says the rest exist.
export const LINEAGE_STEP_LIMIT = 1000;

// The start node and its neighbours `depth` steps away (nodes {uid, kind, label}, edges
// {type, from, to}); null when the uid is unknown (the start node is then missing).
export async function lineage(uid, direction, depth, types) {
  const data = await graphql(LINEAGE, { id: uid, direction, depth, types, limit: LINEAGE_STEP_LIMIT });
  const graph = withUids(data.lineage);
  return graph.nodes.some((n) => n.uid === uid) ? graph : null;
}

// recommendModels answers Recommendations or, for bad input (an unreadable file, a bad column),
// an InvalidInputError whose message names the problem: it is thrown as the error the page shows.
const RECOMMEND = `query Recommend($columns: [ColumnInput!], $file: Upload, $task: String, $first: Int!) {
  recommendModels(columns: $columns, file: $file, task: $task, first: $first) {
    __typename
    ... on Recommendations {
      source
      columns { name dtype shape }
      items {
        score explanation
        modelVersion { id display deprecationReason }
        mapping { userColumn modelInput score note }
        unusedColumns
      }
    }
    ... on InvalidInputError { message field }
  }
}`;

function recommendations(result) {
  if (result.__typename === 'InvalidInputError') throw new ApiError(result.message);
  return withUids(result);
}

export async function recommendForColumns(columns, task) {
  return recommendations((await graphql(RECOMMEND, { columns, file: null, task, first: 10 })).recommendModels);
}

export async function recommendForFile(file, task) {
  return recommendations((await graphqlUpload(RECOMMEND, { columns: null, task, first: 10 }, file)).recommendModels);
}

// Model versions ranked by their expected metric on a dataset version: measured, estimated from
// evaluations elsewhere (with an interval), or not enough evidence (with the reason), best first.
const MODELS_FOR_DATASET = `query ModelsForDataset($dataset: ID!, $metric: String!, $first: Int!) {
  modelsForDataset(dataset: $dataset, metric: $metric, first: $first) {
    modelVersion metric status value low high measured expected reason schemaCoverage
    evidence { datasetVersion }
  }
}`;

export async function modelsForDataset(uid, metric = 'auc', first = 10) {
  const data = await graphql(MODELS_FOR_DATASET, { dataset: uid, metric, first });
  return data.modelsForDataset;
}

// An entity's audit trail (issue 16), newest first, a page at a time (`after`: the last cursor).
const HISTORY = `query History($id: ID!, $first: Int, $after: String) {
  history(id: $id, first: $first, after: $after) {
    edges { cursor node { id at operation before after source write actor { subject tokenId address } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export async function history(uid, first, after) {
  const data = await graphql(HISTORY, { id: uid, first, after: after || null });
  return data.history;
}

// A model version's metric histories (quality monitoring): one series per dataset and metric,
// each with its state against the expected band.
const METRIC_HISTORY = `query MetricHistory($mv: ID!) {
  metricHistory(modelVersion: $mv) {
    dataset metric state reason band { low high source }
    points { evaluation datasetVersion value time runPeriod measured }
  }
}`;

export async function metricHistory(uid) {
  return (await graphql(METRIC_HISTORY, { mv: uid })).metricHistory;
}

// The leaderboard of a dataset version (issue 17): model versions by a metric, measured, reported
// or estimated, optionally filtered by framework, latency budget and hardware.
const LEADERBOARD = `query Leaderboard($dataset: ID!, $metric: String!, $framework: String, $ms: Float, $hardware: String) {
  leaderboard(dataset: $dataset, metric: $metric, first: 50, framework: $framework, maxLatencyMs: $ms, hardware: $hardware) {
    metric lowerIsBetter totalCount
    edges { node { rank modelVersion value kind low high p99Ms hardware reason } }
  }
}`;

export async function leaderboard(uid, metric, { framework = null, maxLatencyMs = null, hardware = null } = {}) {
  return (await graphql(LEADERBOARD, { dataset: uid, metric, framework, ms: maxLatencyMs, hardware })).leaderboard;
}
