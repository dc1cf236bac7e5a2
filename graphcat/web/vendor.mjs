// Copies the browser builds of the npm dependencies (vendor.json) into static/vendor/, where the
// page loads them from: no CDN at run time. Run after `npm ci`: `npm run vendor`.
// tests/test_web_vendor.py fails when a vendored file differs from the installed package's.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { files } = JSON.parse(readFileSync(join(here, 'vendor.json'), 'utf8'));

mkdirSync(join(here, 'static', 'vendor'), { recursive: true });
for (const [target, source] of Object.entries(files)) {
  copyFileSync(join(here, source), join(here, 'static', 'vendor', target));
  console.log(`vendored ${source} -> static/vendor/${target}`);
}
