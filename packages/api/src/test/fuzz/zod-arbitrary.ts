import fc from 'fast-check';
import { z } from 'zod';

type JsonSchema = z.core.JSONSchema.JSONSchema;
type SchemaNode = z.core.JSONSchema._JSONSchema;

/**
 * fast-check arbitraries for a procedure's zod input, derived from the schema's JSON Schema
 * (`z.toJSONSchema`, input side): the constraints zod publishes (types, lengths, ranges,
 * patterns, formats, enums, required and unknown keys) drive the generator.
 *
 * `valid` aims at values the schema accepts, boundaries included; `wild` is `valid` with
 * violations sprinkled in at every level (wrong types, one past a bound, a broken pattern,
 * a missing or unknown key) plus arbitrary JSON. Neither is trusted as an oracle: the suite
 * classifies each generated value with `schema.safeParse`, so a generator that strays only
 * costs coverage, never a wrong verdict.
 */
export function inputArbitraries(
  schema: z.ZodType,
  options: GeneratorOptions = {},
): { valid: fc.Arbitrary<unknown>; wild: fc.Arbitrary<unknown> } {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'inline', cycles: 'ref' });
  const context: Context = { defs: root.$defs ?? {}, knownIds: options.knownIds ?? [] };
  return {
    valid: build(root, context, 'valid', 0),
    wild: fc.oneof(
      { weight: 6, arbitrary: build(root, context, 'wild', 0) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    ),
  };
}

export interface GeneratorOptions {
  /**
   * Ids of things that exist (filled while the suite runs): half of the generated UUIDs are
   * taken from it, so calls reach past "not found" into the code that acts on a real row.
   */
  knownIds?: readonly string[];
}

interface Context {
  defs: Record<string, JsonSchema>;
  knownIds: readonly string[];
}

type Mode = 'valid' | 'wild';

/** Longest string a "valid" value gets unless the schema demands more: keeps URLs and bodies small. */
const TYPICAL_MAX_LENGTH = 64;
const MAX_DEPTH = 6;

function resolve(node: SchemaNode, defs: Record<string, JsonSchema>): JsonSchema {
  if (typeof node === 'boolean') return node ? {} : { not: {} };
  const ref = node.$ref;
  if (ref?.startsWith('#/$defs/')) {
    const target = defs[ref.slice('#/$defs/'.length)];
    if (target) return target;
  }
  return node;
}

function build(node: SchemaNode, context: Context, mode: Mode, depth: number): fc.Arbitrary<unknown> {
  const schema = resolve(node, context.defs);
  const valid = validArbitrary(schema, context, mode, depth);
  if (mode === 'valid') return valid;
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: violation(schema, context, depth) });
}

function validArbitrary(schema: JsonSchema, context: Context, mode: Mode, depth: number) {
  if (depth > MAX_DEPTH) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((alternative) => build(alternative, context, mode, depth + 1)));
  }
  if (schema.allOf && schema.allOf.length > 0) {
    // Intersections are rare in inputs; the first part is a reasonable start for the oracle.
    const [first] = schema.allOf;
    if (first) return build(first, context, mode, depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringArbitrary(schema, context);
    case 'integer':
    case 'number':
      return numberArbitrary(schema, type === 'integer');
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? minLength + 5, minLength + 5);
      return fc.array(items === undefined ? fc.jsonValue({ maxDepth: 1 }) : build(items, context, mode, depth + 1), {
        minLength,
        maxLength,
      });
    }
    case 'object':
      return objectArbitrary(schema, context, mode, depth);
    default:
      // Unconstrained (`{}`): anything at all, including nothing.
      return fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }));
  }
}

function stringArbitrary(schema: JsonSchema, context: Context): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? Math.max(minLength, TYPICAL_MAX_LENGTH);
  const typicalMax = Math.min(maxLength, Math.max(minLength, TYPICAL_MAX_LENGTH));
  const formatted = formatArbitrary(schema, context);
  if (formatted) return formatted;
  if (schema.pattern) {
    // Never `.filter()` on length: a short-biased pattern with a high minimum would spin forever.
    // Repeating a match of `^[…]+$` keeps it a match; for other patterns the oracle decides.
    return fc.stringMatching(new RegExp(schema.pattern)).map((s) => fitLength(s, minLength, maxLength));
  }
  // A plain string in the input may still be piped into a stricter one (`.pipe(z.email())`),
  // which the input-side JSON Schema does not show: offer email addresses too.
  const emails = maxLength >= 6 ? [{ weight: 2, arbitrary: emailArbitrary() }] : [];
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength, maxLength: typicalMax, unit: 'grapheme' }) },
    ...emails,
    // Both ends of the allowed length, exactly.
    { weight: 1, arbitrary: fc.string({ minLength, maxLength: minLength, unit: 'grapheme-ascii' }) },
    { weight: 1, arbitrary: fc.string({ minLength: maxLength, maxLength, unit: 'grapheme-ascii' }) },
  );
}

function emailArbitrary(): fc.Arbitrary<string> {
  const word = (max: number) => fc.stringMatching(new RegExp(`^[a-z0-9]{1,${max}}$`));
  const simple = fc
    .tuple(word(20), word(20), fc.constantFrom('com', 'org', 'dev', 'example'))
    .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);
  return fc.oneof({ weight: 3, arbitrary: simple }, { weight: 1, arbitrary: fc.emailAddress() });
}

function fitLength(value: string, minLength: number, maxLength: number): string {
  let fitted = value;
  while (fitted.length > 0 && fitted.length < minLength) fitted += value;
  return fitted.slice(0, maxLength);
}

function formatArbitrary(schema: JsonSchema, context: Context): fc.Arbitrary<string> | undefined {
  switch (schema.format) {
    case 'uuid': {
      const known = context.knownIds;
      // The list grows while the suite runs, so it is read at generation time.
      const existing = fc
        .tuple(fc.nat(), fc.uuid({ version: 7 }))
        .map(([i, fresh]) => known[i % known.length] ?? fresh);
      return fc.oneof(fc.uuid({ version: [4, 7] }), existing);
    }
    case 'email':
      return emailArbitrary();
    case 'uri':
    case 'url':
      return fc.webUrl();
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
        .map((date) => date.toISOString());
    default:
      return undefined;
  }
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const exclusiveMin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const exclusiveMax = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : undefined;
  const min = schema.minimum ?? (exclusiveMin === undefined ? -1_000_000 : exclusiveMin + (integer ? 1 : 1e-6));
  const max = schema.maximum ?? (exclusiveMax === undefined ? 1_000_000 : exclusiveMax - (integer ? 1 : 1e-6));
  const within = integer
    ? fc.integer({
        min: Math.ceil(Math.max(min, Number.MIN_SAFE_INTEGER)),
        max: Math.floor(Math.min(max, Number.MAX_SAFE_INTEGER)),
      })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof({ weight: 4, arbitrary: within }, { weight: 1, arbitrary: fc.constantFrom(min, max) });
}

function objectArbitrary(schema: JsonSchema, context: Context, mode: Mode, depth: number) {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, property] of Object.entries(properties)) model[key] = build(property, context, mode, depth + 1);
  const optionalKeys = Object.keys(properties).filter((key) => !required.has(key));
  return fc.record(model, { requiredKeys: [...required].filter((key) => key in properties) }).map((value) => {
    // fc.record leaves optional keys out at random already; also keep an explicit `undefined` out of JSON.
    for (const key of optionalKeys) if (value[key] === undefined) delete value[key];
    return value;
  });
}

/** A value that breaks `schema` in one of the ways zod checks. */
function violation(schema: JsonSchema, context: Context, depth: number): fc.Arbitrary<unknown> {
  const wrongType = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 8 }),
    fc.constant([]),
    fc.constant({}),
  );
  const options: fc.Arbitrary<unknown>[] = [wrongType];
  if (schema.enum) options.push(fc.string({ maxLength: 12 }).filter((s) => !schema.enum?.includes(s)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'string') {
    if (schema.maxLength !== undefined) {
      const over = schema.maxLength + 1;
      options.push(fc.string({ minLength: over, maxLength: over + 20, unit: 'grapheme-ascii' }));
    }
    if (schema.minLength !== undefined && schema.minLength > 0) {
      options.push(fc.string({ maxLength: schema.minLength - 1 }));
      // Whitespace only: passes a length check, fails after `.trim()`.
      options.push(fc.constant(' '.repeat(schema.minLength)));
    }
    if (schema.pattern || schema.format) options.push(fc.string({ maxLength: 40 }));
  }
  if (type === 'integer' || type === 'number') {
    if (schema.minimum !== undefined) options.push(fc.constant(schema.minimum - 1));
    if (schema.maximum !== undefined) options.push(fc.constant(schema.maximum + 1));
    if (type === 'integer') options.push(fc.double({ min: -1e6, max: 1e6, noInteger: true, noNaN: true }));
    options.push(fc.constantFrom(1e308, -1e308, 'NaN', '12abc', ''));
  }
  if (type === 'array') {
    const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
    const element = items === undefined ? fc.jsonValue({ maxDepth: 1 }) : build(items, context, 'valid', depth + 1);
    if (schema.maxItems !== undefined) {
      const over = schema.maxItems + 1;
      options.push(fc.array(element, { minLength: over, maxLength: over + 3 }));
    }
    if (schema.minItems !== undefined && schema.minItems > 0) options.push(fc.constant([]));
  }
  if (type === 'object') {
    const valid = objectArbitrary(schema, context, 'valid', depth);
    const required = schema.required ?? [];
    if (required.length > 0) {
      options.push(
        fc.tuple(valid, fc.constantFrom(...required)).map(([value, key]) => {
          delete value[key];
          return value;
        }),
      );
    }
    if (schema.additionalProperties === false) {
      options.push(
        fc
          .tuple(valid, fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }))
          .filter(([, key]) => !(key in (schema.properties ?? {})))
          .map(([value, key, extra]) => ({ ...value, [key]: extra })),
      );
    }
  }
  return fc.oneof(...options);
}
