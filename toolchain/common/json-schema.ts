// JSON Schema validation of the project's JSON inputs (boards, deployment descriptors) with Ajv, compiled once per
// schema and kept as Ajv's standalone code in the cache: loading Ajv and compiling a schema cost 0.3–0.6 s, more
// than the rest of `hasm as` or `hasm run` together; requiring the cached validator costs about 5 ms.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { cacheKey, cachePath, packageVersion, readCached, writeCached } from './cache.ts';

const require = createRequire(import.meta.url);
const OPTIONS = { allErrors: true, strict: false, code: { source: true } } as const;
const loaded = new Map<string, ValidateFunction>();

/** The validator of a 2020-12 schema file; errors with `allErrors`, as json-schema-problems.ts reads them. */
export function schemaValidator(schemaFile: string | URL): ValidateFunction {
  const text = readFileSync(schemaFile, 'utf8');
  const name = `schema-${cacheKey(text, JSON.stringify(OPTIONS), packageVersion('ajv'))}.cjs`;
  let v = loaded.get(name);
  if (v) return v;
  if (!readCached(name)) {
    const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    const standalone = (require('ajv/dist/standalone/index.js') as { default: (ajv: unknown, v: unknown) => string }).default;
    const schema = JSON.parse(text);
    delete schema.$schema; // Ajv2020 knows the 2020-12 meta-schema
    const ajv = new Ajv2020(OPTIONS);
    writeCached(name, standalone(ajv, ajv.compile(schema)));
  }
  v = require(cachePath(name)) as ValidateFunction;
  loaded.set(name, v);
  return v;
}
