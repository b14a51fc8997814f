// Validates API responses against docs/openapi.yaml (OpenAPI 3.1, whose
// schemas are JSON Schema 2020-12) with ajv, so the document cannot drift
// from what the server answers.
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';
import { repoRoot } from './server.mjs';

const doc = YAML.parse(fs.readFileSync(path.join(repoRoot, 'docs', 'openapi.yaml'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(doc, 'openapi');
const cache = new Map();
const pointer = (...parts) => parts.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/**
 * Asserts that a response (status, JSON body) of `method template` (e.g.
 * 'get', '/enrollments') is described by the document: the status is listed
 * and the body matches its schema.  Throws with ajv's errors otherwise.
 */
export function checkResponse(method, template, status, body) {
  const op = doc.paths[template]?.[method];
  if (!op) throw new Error(`openapi.yaml has no ${method.toUpperCase()} ${template}`);
  let response = op.responses[String(status)];
  if (!response) throw new Error(`openapi.yaml lists no status ${status} for ${method.toUpperCase()} ${template}`);
  let where = `#/${pointer('paths', template, method, 'responses', String(status))}`;
  if (response.$ref) {
    where = response.$ref;
    response = response.$ref.slice(2).split('/').reduce((o, k) => o[k], doc);
  }
  const key = `${where}/content/application~1json/schema`;
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.getSchema(`openapi${key}`);
    if (!validate) throw new Error(`no schema at ${key}`);
    cache.set(key, validate);
  }
  if (!validate(body)) {
    throw new Error(`${method.toUpperCase()} ${template} ${status}: body does not match openapi.yaml: ` +
      `${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
  }
}
