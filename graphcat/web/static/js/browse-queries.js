// The GraphQL operations of the browsing views (home, model list with facets, model page), each
// returning plain objects; catalog ids are read as `uid` as in queries.js.
import { graphql } from './api.js';

const HOME = `query Home {
  catalogSummary {
    kinds { kind count }
    tasks { task { id name } parent models modelsInTree modelVersionsInTree }
    experiments { experiment { id name } detectors datasetVersions modelVersions }
    frameworks { framework modelVersions }
    aliases { alias modelVersions }
  }
  detectors(first: 100) { totalCount edges { node { id name kind experiment { id } } } }
  recent: modelVersions(sort: CREATED_AT, descending: true, first: 8) {
    edges { node { id version createdAt aliases model { id name } } }
  }
  inUse: modelVersions(filter: {hasAlias: true, includeDeprecated: true}, first: 100) {
    totalCount
    edges { node { id version createdAt aliases framework deprecationReason model { id name } } }
  }
}`;

export async function home() {
  const data = await graphql(HOME);
  return {
    summary: data.catalogSummary,
    detectors: data.detectors.edges.map((e) => e.node),
    detectorTotal: data.detectors.totalCount,
    recent: data.recent.edges.map((e) => e.node).filter((v) => v.createdAt),
    inUse: data.inUse.edges.map((e) => e.node),
    inUseTotal: data.inUse.totalCount,
  };
}

// Facet choices (catalogSummary: tasks as a tree, experiments, frameworks, aliases) and their
// counts narrowed by the other filters (modelFacets: models per value), in one request.
const FACET_CHOICES = `query FacetChoices($filter: ModelFilter, $budgets: [Float!]) {
  catalogSummary {
    tasks { task { id name } parent modelsInTree }
    experiments { experiment { id name } modelVersions }
    frameworks { framework modelVersions }
    aliases { alias modelVersions }
  }
  modelFacets(filter: $filter, latencyBudgets: $budgets) { facets { name values { value count } } }
}`;

// {summary, counts: {facet: {value: models}}}; task and experiment values are global ids.
export async function facetChoices(filter, budgets) {
  const data = await graphql(FACET_CHOICES, { filter, budgets });
  const counts = Object.fromEntries(data.modelFacets.facets.map((f) => [f.name, Object.fromEntries(f.values.map((v) => [v.value, v.count]))]));
  return { summary: data.catalogSummary, counts };
}

const MODELS = `query Models($filter: ModelFilter, $first: Int, $after: String) {
  models(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name description tags
      tasks { id name }
      versions { version framework aliases deprecationReason }
    } }
  }
}`;

// A page of models matching the facets ({task, experiment, framework, dataType, alias, maxP99Ms}).
export async function models(filter, first = 25, after = null) {
  const data = await graphql(MODELS, { filter, first, after });
  return { total: data.models.totalCount, pageInfo: data.models.pageInfo, items: data.models.edges.map((e) => e.node) };
}

const FEATURE = 'name dtype shapeGiven unit';
const MODEL = `query Model($id: ID!) { model: node(id: $id) {
  id
  ... on Model {
    name description tags
    tasks { id name }
    owner { id name }
    versions {
      id version createdAt aliases deprecationReason framework format license
      inputs { ${FEATURE} }
      hyperparameters { learningRate batchSize epochs optimizer extra }
      datasets { id display }
      evaluations { metric value dataset { id display } }
    }
  }
} }`;

// A model with all its versions (newest first) and what the diff compares; null when unknown.
export async function model(id) {
  const data = await graphql(MODEL, { id: `model:${id}` });
  return data.model && data.model.name !== undefined ? data.model : null;
}
