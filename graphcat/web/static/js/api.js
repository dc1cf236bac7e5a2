// The page talks to /graphql only. GraphQL errors become thrown ApiErrors with the server's text.

export class ApiError extends Error {}

// `token`: a bearer API token, for the mutations (writer) the page runs on the user's behalf.
// Without one, a signed-in page's session cookie stands for the user; the server takes it only with
// the session's CSRF token in X-Graphcat-CSRF (session.js sets it from /auth/session).
let csrfToken = null;
export function setCsrfToken(value) {
  csrfToken = value || null;
}
const bearer = (token) => {
  if (token) return { Authorization: `Bearer ${token}` };
  return csrfToken ? { 'X-Graphcat-CSRF': csrfToken } : {};
};

export async function graphql(query, variables = {}, token = null) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json', ...bearer(token) },
    body: JSON.stringify({ query, variables }),
  });
  return unwrap(response);
}

// GraphQL multipart request (graphql-multipart-request-spec): one file bound to `variables.file`.
export async function graphqlUpload(query, variables, file, token = null) {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables: { ...variables, file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', file, file.name);
  const response = await fetch('/graphql', { method: 'POST', body: form, headers: bearer(token) });
  return unwrap(response);
}

async function unwrap(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`the server answered ${response.status} ${response.statusText} without a GraphQL response`);
  }
  if (body.errors && body.errors.length) {
    throw new ApiError(body.errors.map((e) => e.message).join('; '));
  }
  if (!response.ok) throw new ApiError(`the server answered ${response.status}`);
  return body.data;
}
