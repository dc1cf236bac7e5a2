// Runs the graphql-http server audit (GraphQL-over-HTTP spec conformance) against a live
// GraphQL endpoint and prints one JSON object: every audit's id, name, status and the reason of
// any failure. Usage: node audit.mjs http://127.0.0.1:PORT/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = await auditServer({ url });
const report = await Promise.all(
  results.map(async (r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    reason: r.status === 'ok' ? null : r.reason,
    response:
      r.status === 'ok'
        ? null
        : { status: r.response.status, body: await r.response.text().catch(() => null) },
  })),
);
const count = (status) => report.filter((r) => r.status === status).length;
console.log(
  JSON.stringify(
    { total: report.length, ok: count('ok'), notices: count('notice'), warnings: count('warn'), errors: count('error'), results: report },
    null,
    2,
  ),
);
