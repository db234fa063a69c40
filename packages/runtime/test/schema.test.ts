import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { KNOWN_EVENT_KINDS, readTrace } from '../src/index.js';

const schemaFile = fileURLToPath(new URL('../schemas/trace.schema.json', import.meta.url));
const traces = fileURLToPath(new URL('./traces/', import.meta.url));
const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { $defs: Record<string, unknown> };
const validate: ValidateFunction = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
const errors = () => (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');

test('every line of the example traces validates against the schema', () => {
  const files = readdirSync(traces).filter((f) => f.endsWith('.jsonl'));
  assert.ok(files.length >= 2);
  for (const file of files) {
    const lines = readFileSync(join(traces, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      assert.ok(validate(JSON.parse(line)), `${file}:${i + 1}: ${errors()}`);
    });
  }
});

test('the schema defines every known kind, and accepts an unknown kind with kind and t only', () => {
  assert.deepEqual(
    Object.keys(schema.$defs)
      .filter((k) => k !== 'stack' && k !== 'uiNode')
      .sort(),
    [...KNOWN_EVENT_KINDS].sort(),
  );
  assert.ok(validate({ kind: 'clipboard', t: 1, anything: [1, { x: null }] }), errors());
  assert.equal(validate({ kind: 'clipboard' }), false);
  assert.equal(validate({ t: 1 }), false);
  assert.equal(validate({ kind: 'api', t: 1 }), false);
  assert.equal(validate({ kind: 'consent', t: 1, action: 'accepted', detectedBy: 'ui' }), false);
  assert.equal(
    validate({ kind: 'ui', t: 1, id: 's', tree: { class: 'a', bounds: [0, 0, 1], children: [] } }),
    false,
    'bounds need four numbers',
  );
  assert.ok(validate({ kind: 'ui', t: 1, id: 's', tree: { class: 'a', bounds: [0, 0, 1, 1], children: [{ text: 'x' }] } }), errors());
});

/**
 * The reader and the schema must agree on every event: one mutation at a time of valid events
 * (a field dropped, a wrong type, a value outside its enum) must be refused by both or by neither.
 * (The one rule the schema cannot say, as many answers as permissions, is kept out of the mutations.)
 */
test('reader and schema agree on mutated events', () => {
  const seeds: Record<string, unknown>[] = [];
  for (const file of readdirSync(traces).filter((f) => f.endsWith('.jsonl')))
    for (const line of readFileSync(join(traces, file), 'utf8').split('\n')) if (line.trim()) seeds.push(JSON.parse(line));
  const replacements: unknown[] = [
    undefined,
    null,
    '',
    'x',
    'granted',
    'tap',
    -1,
    0,
    1.5,
    7,
    true,
    [],
    ['a'],
    [1],
    {},
    { width: 1, height: 1 },
  ];
  let compared = 0;
  for (const seed of seeds) {
    for (const key of Object.keys(seed)) {
      if (key === 'answers' || key === 'permissions') continue;
      for (const value of replacements) {
        const event: Record<string, unknown> = { ...seed };
        if (value === undefined) delete event[key];
        else event[key] = value;
        const byReader = readTrace(JSON.stringify(event)).events.length === 1;
        const bySchema = validate(event);
        compared++;
        assert.equal(byReader, bySchema, `${JSON.stringify(event).slice(0, 300)}: reader ${byReader}, schema ${bySchema} ${errors()}`);
      }
    }
  }
  assert.ok(compared > 1000);
});

test('every example line of the README validates and reads without problems', () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const lines = [...readme.matchAll(/```jsonl\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((l) => l.trim() !== ''));
  assert.ok(lines.length >= 12, `${lines.length} example lines`);
  for (const line of lines) assert.ok(validate(JSON.parse(line)), `${line}: ${errors()}`);
  const trace = readTrace(lines.join('\n'));
  assert.deepEqual(trace.problems, []);
  assert.equal(trace.events.length, lines.length);
  const kinds = new Set(trace.events.map((e) => e.kind));
  for (const kind of KNOWN_EVENT_KINDS) assert.ok(kinds.has(kind), `README shows ${kind}`);
});
