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

const FEATURE = 'position name dtype shape unit description';
const EVALUATION = `metric value date sourceUrl notes
  datasetVersion { uid display }
  modelVersion { uid display }`;

const ENTITY = {
  model_version: `query ($uid: String!) { entity: modelVersionByUid(uid: $uid) {
    uid display version description createdAt framework format license aliases deprecatedReason
    artifact { uri sha256 }
    model { name tasks { name } }
    hyperparameters { learningRate batchSize epochs optimizer }
    reproducibility { codeRepository commit environment trainingConfig seed }
    inputs { ${FEATURE} } outputs { ${FEATURE} }
    trainedOn { uid display }
    evaluations { ${EVALUATION} }
  } }`,
  dataset_version: `query ($uid: String!) { entity: datasetVersionByUid(uid: $uid) {
    uid display version description createdAt format location doi numEvents dataType
    dataset { name }
    conditions { sqrtSTev pileupMean runPeriod generator tune detectorSimulation kinematicRange }
    features { ${FEATURE} }
    evaluations { ${EVALUATION} }
  } }`,
  detector: `query ($uid: String!) { entity: detectorByUid(uid: $uid) {
    uid display name description detectorKind experiment { uid display }
  } }`,
  experiment: `query ($uid: String!) { entity: experimentByUid(uid: $uid) {
    uid display name description url detectors { uid display }
  } }`,
};

export async function entity(kind, id) {
  const data = await graphql(ENTITY[kind], { uid: `${kind}:${id}` });
  return data.entity;
}

const LINEAGE = `query Lineage($uid: String!, $direction: LineageDirection!, $depth: Int!, $types: [String!]) {
  lineage(uid: $uid, direction: $direction, depth: $depth, types: $types) {
    nodes { uid kind label }
    edges { type from to }
  }
}`;

// The start node and its neighbours `depth` steps away; null when the uid is unknown.
export async function lineage(uid, direction, depth, types) {
  const data = await graphql(LINEAGE, { uid, direction, depth, types });
  return data.lineage;
}

const RECOMMENDATION = `score explanation
  modelVersion { uid display deprecatedReason }
  mapping { userColumn modelInput score note }`;

const RECOMMEND_COLUMNS = `query ($columns: [ColumnInput!]!, $task: String, $first: Int) {
  recommendModels(columns: $columns, task: $task, first: $first) { ${RECOMMENDATION} }
}`;
const RECOMMEND_FILE = `mutation ($file: Upload!, $task: String, $first: Int) {
  recommendModelsForFile(file: $file, task: $task, first: $first) { ${RECOMMENDATION} }
}`;

export async function recommendForColumns(columns, task) {
  return (await graphql(RECOMMEND_COLUMNS, { columns, task, first: 10 })).recommendModels;
}

export async function recommendForFile(file, task) {
  return (await graphqlUpload(RECOMMEND_FILE, { task, first: 10 }, file)).recommendModelsForFile;
}
