// Who is signed in (/auth/session), the header's "Sign in" / "signed in as alice (writer@cms) · Sign out",
// and `allowed(action, namespace)` (GraphQL viewer.can) so views hide what the user may not do.
// The session's CSRF token goes with every GraphQL request (api.js); sign-out is a POST carrying it.
import { h } from './dom.js';
import { graphql, setCsrfToken } from './api.js';

let current = { enabled: false, signedIn: false };

export function session() {
  return current;
}

export async function loadSession() {
  try {
    const response = await fetch('/auth/session', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    current = response.ok ? await response.json() : { enabled: false, signedIn: false };
  } catch {
    current = { enabled: false, signedIn: false };
  }
  setCsrfToken(current.signedIn ? current.csrfToken : null);
  return current;
}

// Whether the signed-in user may run mutation `action` (in `namespace` when given); false when signed out.
export async function allowed(action, namespace = null) {
  if (!current.signedIn) return false;
  const data = await graphql('query Can($a: String!, $n: String) { viewer { can(action: $a, namespace: $n) } }',
    { a: action, n: namespace });
  return data.viewer.can;
}

export function renderSignin(slot) {
  slot.replaceChildren();
  if (!current.enabled) return;
  if (!current.signedIn) {
    const next = encodeURIComponent(`/${location.hash}`);
    slot.append(h('a', { class: 'signin-link', id: 'sign-in', href: `/auth/login?next=${next}` }, 'Sign in'));
    return;
  }
  const form = h('form', { method: 'post', action: '/auth/logout', class: 'signout' },
    h('input', { type: 'hidden', name: 'csrf', value: current.csrfToken }),
    h('button', { type: 'submit', class: 'linklike', id: 'sign-out' }, 'Sign out'));
  slot.append(h('span', { class: 'who', id: 'signed-in-as', title: `subject ${current.subject}, token until ${current.expiresAt}` },
    `signed in as ${current.label}`), h('span', { 'aria-hidden': 'true' }, ' · '), form);
}
