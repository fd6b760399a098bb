// Validates recorded responses against the OpenAPI document.
//   node tests/openapi/validate.mjs DOCUMENT.json RECORDINGS_DIR
// DOCUMENT.json is portal/openapi.yaml bundled with every $ref resolved (scripts/openapi-check
// makes it with `redocly bundle --dereferenced`). Each recording is one JSON file
// {method, path, url, status, content_type, body} written by tests/api/test_openapi_record.c,
// where path is the route's template ("/v1/jobs/{id}"). A recording fails when its route,
// its status or its media type is not described, or when a JSON body breaks the schema.
// Exit status: 0 when every recording passes, 1 otherwise (each failure is printed).
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// The tools live outside the tree (scripts/openapi-check passes their directory), and ES
// modules ignore NODE_PATH, so resolve them from there.
const tools = process.env.PORTAL_OPENAPI_TOOLS;
const require = createRequire(tools ? join(tools, 'package.json') : import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const [docPath, dir] = process.argv.slice(2);
if (!docPath || !dir) {
  console.error('usage: validate.mjs DOCUMENT.json RECORDINGS_DIR');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(docPath, 'utf8'));
// strict: false because OpenAPI adds keywords (example, xml...) that JSON Schema does not know.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

const compiled = new Map();
function validatorFor(key, schema) {
  if (!compiled.has(key)) compiled.set(key, ajv.compile(schema));
  return compiled.get(key);
}

// The documented media type matching a Content-Type header ("application/json; charset=utf-8").
function mediaFor(content, contentType) {
  const type = (contentType || '').split(';')[0].trim().toLowerCase();
  if (!content) return null;
  if (content[type]) return [type, content[type]];
  const wildcard = Object.keys(content).find((k) => k.endsWith('/*') && type.startsWith(k.slice(0, -1)));
  return wildcard ? [wildcard, content[wildcard]] : null;
}

function check(rec) {
  const item = doc.paths?.[rec.path];
  if (!item) return [`path ${rec.path} is not described`];
  const op = item[rec.method.toLowerCase()];
  if (!op) return [`${rec.method} ${rec.path} is not described`];
  const response = op.responses?.[String(rec.status)] ?? op.responses?.default;
  if (!response) return [`status ${rec.status} is not described for ${rec.method} ${rec.path}`];
  if (!response.content) {
    return rec.body === null || rec.body === undefined ? [] : [`status ${rec.status} is described without a body, but one came`];
  }
  const media = mediaFor(response.content, rec.content_type);
  if (!media) return [`content type "${rec.content_type}" is not described for ${rec.method} ${rec.path} ${rec.status}`];
  const [type, { schema }] = media;
  if (!type.includes('json') || !schema) return []; // text, HTML, YAML, files: the type is the check
  if (rec.body === null || rec.body === undefined) return ['a JSON response was described, but the body is not JSON'];
  const validate = validatorFor(`${rec.method} ${rec.path} ${rec.status} ${type}`, schema);
  if (validate(rec.body)) return [];
  return validate.errors.map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
}

const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
if (files.length === 0) {
  console.error(`openapi validate: no recordings in ${dir}`);
  process.exit(1);
}
let failed = 0;
const routes = new Set();
for (const f of files) {
  const rec = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  routes.add(`${rec.method} ${rec.path}`);
  const problems = check(rec);
  if (problems.length) {
    failed++;
    console.error(`FAIL ${f}: ${rec.method} ${rec.url} -> ${rec.status}`);
    for (const p of problems.slice(0, 10)) console.error(`     ${p}`);
  }
}
console.log(`openapi validate: ${files.length - failed}/${files.length} recorded responses conform (${routes.size} routes exercised)`);
process.exit(failed ? 1 : 0);
