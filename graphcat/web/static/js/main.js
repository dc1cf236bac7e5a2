// Hash router of the page: every view renders into <main id="view">.
import { clear, message } from './dom.js';
import { renderSearch } from './search.js';
import { renderEntity } from './entity.js';
import { renderLineage } from './lineage.js';
import { renderForMyData } from './formydata.js';
import { renderHome } from './home.js';
import { renderModels } from './facets.js';
import { renderModel } from './versions.js';
import { loadSession, renderSignin } from './session.js';

const ENTITY_ROUTES = {
  'model-version': 'model_version',
  'dataset-version': 'dataset_version',
  detector: 'detector',
  experiment: 'experiment',
};

let lastView = null;

function route() {
  const view = document.getElementById('view');
  const [path, query = ''] = (location.hash.replace(/^#/, '') || '/').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  for (const link of document.querySelectorAll('.nav a')) {
    const current = link.dataset.route === (parts[0] || '');
    link.classList.toggle('current', current);
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  // A new view starts at the top; a new filter or pair on the same view keeps the place.
  if (parts[0] !== lastView) window.scrollTo(0, 0);
  lastView = parts[0];
  if (parts.length === 0) return renderHome(view);
  if (parts[0] === 'search') return renderSearch(view, params);
  if (parts[0] === 'models') return renderModels(view, params);
  if (parts[0] === 'model' && parts[1]) return renderModel(view, parts.slice(1).join('/'), params);
  if (parts[0] === 'for-my-data') return renderForMyData(view);
  if (parts[0] === 'lineage' && parts[1]) return renderLineage(view, parts.slice(1).join('/'));
  if (ENTITY_ROUTES[parts[0]] && parts[1]) return renderEntity(view, ENTITY_ROUTES[parts[0]], parts.slice(1).join('/'));
  clear(view, message('error', `There is no page at #${path}.`));
  return null;
}

window.addEventListener('hashchange', route);
// "Skip to content" moves the focus without touching the hash (the router owns it).
document.querySelector('.skip-link')?.addEventListener('click', (ev) => {
  ev.preventDefault();
  document.getElementById('view').focus();
});
// Who is signed in first: views ask it what to show (write controls), and requests carry its CSRF token.
loadSession().then(() => {
  renderSignin(document.getElementById('signin'));
  route();
});
