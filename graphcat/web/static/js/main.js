// Hash router of the page: every view renders into <main id="view">.
import { clear, message } from './dom.js';
import { renderSearch } from './search.js';
import { renderEntity } from './entity.js';
import { renderLineage } from './lineage.js';
import { renderForMyData } from './formydata.js';

const ENTITY_ROUTES = {
  'model-version': 'model_version',
  'dataset-version': 'dataset_version',
  detector: 'detector',
  experiment: 'experiment',
};

function route() {
  const view = document.getElementById('view');
  const [path, query = ''] = (location.hash.replace(/^#/, '') || '/search').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  for (const link of document.querySelectorAll('.nav a')) {
    link.classList.toggle('current', link.dataset.route === parts[0]);
  }
  window.scrollTo(0, 0);
  if (parts[0] === 'search' || parts.length === 0) return renderSearch(view, params);
  if (parts[0] === 'for-my-data') return renderForMyData(view);
  if (parts[0] === 'lineage' && parts[1]) return renderLineage(view, parts.slice(1).join('/'));
  if (ENTITY_ROUTES[parts[0]] && parts[1]) return renderEntity(view, ENTITY_ROUTES[parts[0]], parts.slice(1).join('/'));
  clear(view, message('error', `There is no page at #${path}.`));
  return null;
}

window.addEventListener('hashchange', route);
route();
