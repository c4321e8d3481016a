import fc from 'fast-check';
import { z } from 'zod';
import type { ProcedureEntry } from './catalog.js';
import { inputArbitraries } from './zod-arbitrary.js';

/** Who calls: nobody, a forged token, or a real signed-in user or admin. */
export type Caller = 'anonymous' | 'forged' | 'user' | 'admin';

export interface FuzzTarget {
  /** Base URL of a running api. */
  url: string;
  /** Where the REST adapter is mounted (`/api`), or null to call through tRPC only. */
  restBase: string | null;
  /** A fresh access token of a real account for this procedure's runs, when the api has sign-in. */
  tokens: Partial<Record<'user' | 'admin', (entry: ProcedureEntry) => Promise<string>>>;
  /** Ids seen in successful answers, shared by all procedures (see GeneratorOptions.knownIds). */
  knownIds: string[];
  /**
   * Ids never offered as inputs: the fuzzing accounts themselves, so that an admin procedure
   * (disable, demote) cannot sign out the accounts other procedures are being fuzzed with.
   */
  reservedIds: ReadonlySet<string>;
  numRuns: number;
  /** Budget of one HTTP call: past it, the property fails as a hang. */
  requestTimeoutMs: number;
  seed?: number;
}

/** What happened to one procedure, for the suite's own coverage assertions and the report. */
export interface FuzzStats {
  path: string;
  runs: number;
  valid: number;
  invalid: number;
  /** Inputs that reached a REST route and were invalid there (see REST mirroring). */
  invalidViaRest: number;
  /** Invalid inputs answered 400 with field issues, per transport. */
  rejectedWithIssues: { trpc: number; rest: number };
  statuses: Record<string, number>;
  durationMs: number;
}

interface Answer {
  status: number;
  /** The one error shape, wherever the transport put it; null on success. */
  error: { code?: unknown; message?: unknown; requestId?: unknown; issues?: unknown } | null;
  text: string;
  url: string;
}

/** JSON as it travels: `undefined` keys vanish, -0 becomes 0, and so on. */
function overTheWire(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function send(url: string, init: RequestInit, timeoutMs: number): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new Error(`${init.method ?? 'GET'} ${url.slice(0, 300)} did not answer within ${timeoutMs} ms: ${error}`);
  }
  const text = await res.text();
  let error: Answer['error'] = null;
  if (res.status >= 400 && text.length > 0) {
    const body: unknown = JSON.parse(text);
    const shape = isRecord(body) && isRecord(body.error) ? body.error.data : body;
    error = isRecord(shape) ? shape : { message: shape };
  }
  return { status: res.status, error, text, url };
}

function callTrpc(target: FuzzTarget, entry: ProcedureEntry, input: unknown, headers: Record<string, string>) {
  const base = `${target.url}/trpc/${entry.path}`;
  if (entry.type === 'query') {
    const url = input === undefined ? base : `${base}?input=${encodeURIComponent(JSON.stringify(input))}`;
    return send(url, { headers }, target.requestTimeoutMs);
  }
  const body = input === undefined ? undefined : JSON.stringify(input);
  return send(
    base,
    { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body },
    target.requestTimeoutMs,
  );
}

/** How a scalar travels in a path or query string. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** The input schema with optional/nullable/default wrappers taken off. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
    const inner: unknown = current.unwrap();
    if (!(inner instanceof z.ZodType)) break;
    current = inner;
  }
  return current;
}

/** Whether the REST adapter (trpc-to-openapi) turns a single query value of `key` into an array. */
function isArrayField(schema: z.ZodType | null, key: string): boolean {
  const object = schema ? unwrap(schema) : null;
  if (!(object instanceof z.ZodObject)) return false;
  const field: unknown = object.shape[key];
  return field instanceof z.ZodArray || (field instanceof z.ZodOptional && field.unwrap() instanceof z.ZodArray);
}

/** Marks a REST request the JSON parser refuses before any procedure sees it. */
const REFUSED_BY_PARSER = Symbol('refused by the JSON parser');
/** Marks a REST request with an empty path parameter: it may match another route entirely. */
const UNROUTABLE = Symbol('empty path parameter');

interface RestCall {
  /** What the adapter hands the procedure as input, or REFUSED_BY_PARSER. */
  received: unknown;
  answer: Promise<Answer>;
}

/**
 * Calls the procedure through REST and mirrors what the adapter hands the procedure: path
 * parameters and query values as strings (repeated keys as arrays, empty values dropped), the
 * JSON body merged with the path parameters, nothing at all for a void input.
 */
function callRest(
  target: FuzzTarget,
  entry: ProcedureEntry,
  restBase: string,
  input: unknown,
  headers: Record<string, string>,
): RestCall {
  const rest = entry.rest;
  if (!rest) throw new Error(`${entry.path} has no REST mapping`);
  const fields: Record<string, unknown> = isRecord(input) ? { ...input } : {};
  const pathParams: Record<string, string> = {};
  let routable = true;
  const path = rest.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = fields[name];
    delete fields[name];
    const text = value === undefined ? '' : asText(value);
    if (text === '') routable = false;
    pathParams[name] = text;
    return encodeURIComponent(text);
  });
  const url = `${target.url}${restBase}${path}`;
  const inputSchema = entry.input ? unwrap(entry.input) : null;
  const takesNothing =
    inputSchema instanceof z.ZodVoid || inputSchema instanceof z.ZodUndefined || inputSchema instanceof z.ZodNever;

  if (rest.method === 'GET' || rest.method === 'DELETE') {
    const query = new URLSearchParams();
    const received: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined).map(asText);
      for (const v of values) query.append(key, v);
      // express parses the query; the adapter drops a single empty value and wraps a single
      // value of an array field.
      const [first] = values;
      if (values.length > 1) received[key] = values;
      else if (first) received[key] = isArrayField(entry.input, key) ? [first] : first;
    }
    const search = query.size > 0 ? `?${query}` : '';
    return {
      received: !routable ? UNROUTABLE : takesNothing ? undefined : { ...received, ...pathParams },
      answer: send(`${url}${search}`, { method: rest.method, headers }, target.requestTimeoutMs),
    };
  }
  const body = isRecord(input) ? fields : input;
  let received: unknown;
  if (!routable) received = UNROUTABLE;
  else if (takesNothing) received = undefined;
  else if (body === undefined) received = { ...pathParams };
  else if (typeof body === 'object' && body !== null) received = { ...body, ...pathParams };
  // A body that is not a JSON object or array is refused by the (strict) JSON parser.
  else received = REFUSED_BY_PARSER;
  return {
    received,
    answer: send(
      url,
      {
        method: rest.method,
        headers: { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      target.requestTimeoutMs,
    ),
  };
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const MAX_KNOWN_IDS = 1_000;

/** Remembers the ids in a successful answer, so later inputs can name things that exist. */
function harvestIds(answer: Answer, target: FuzzTarget): void {
  const { knownIds, reservedIds } = target;
  if (answer.status >= 300 || knownIds.length >= MAX_KNOWN_IDS) return;
  for (const id of answer.text.match(UUID) ?? []) {
    if (!knownIds.includes(id) && !reservedIds.has(id) && knownIds.length < MAX_KNOWN_IDS) knownIds.push(id);
  }
}

/** Statuses with which a guard legitimately answers before validation runs. */
const GUARDS = new Set([401, 403, 429]);

/**
 * Checks one answer against the verdict of the zod schema on what the procedure received;
 * returns whether it was a 400 with field issues.
 */
function checkAnswer(
  answer: Answer,
  verdict: 'valid' | 'invalid' | 'unparsable' | 'unroutable',
  transport: 'trpc' | 'rest',
): boolean {
  const where = `${transport} ${answer.url.slice(0, 300)} -> ${answer.status}: ${answer.text.slice(0, 500)}`;
  if (answer.status >= 500) throw new Error(`server error: ${where}`);
  if (answer.status >= 400) {
    if (!answer.error || typeof answer.error.code !== 'string' || typeof answer.error.message !== 'string') {
      throw new Error(`an error without the error shape: ${where}`);
    }
    if (!('requestId' in answer.error)) throw new Error(`an error without requestId: ${where}`);
    if (/\bstack\b|node_modules|\.ts:\d+/.test(answer.text)) throw new Error(`an error leaks internals: ${where}`);
  }
  // Whatever route an empty path parameter lands on, only the checks above apply.
  if (verdict === 'valid' || verdict === 'unroutable') return false;
  if (verdict === 'unparsable') {
    if (answer.status !== 400 && !GUARDS.has(answer.status))
      throw new Error(`an unparsable body not refused: ${where}`);
    return false;
  }
  const issues = answer.error?.issues;
  const withIssues = answer.status === 400 && Array.isArray(issues) && issues.length > 0;
  // REST only: a path parameter that is empty or unroutable matches no route at all.
  const unrouted = transport === 'rest' && answer.status === 404;
  if (!withIssues && !GUARDS.has(answer.status) && !unrouted) {
    throw new Error(`invalid input not rejected with 400 and field issues: ${where}`);
  }
  return withIssues;
}

/**
 * Property: for any generated input, through tRPC and through REST, as any caller, the api
 * answers in time, never with a 5xx, errors always have the one shape, and an input the zod
 * schema rejects is a 400 listing field issues (unless a guard answered first).
 */
export async function fuzzProcedure(target: FuzzTarget, entry: ProcedureEntry): Promise<FuzzStats> {
  const stats: FuzzStats = {
    path: entry.path,
    runs: 0,
    valid: 0,
    invalid: 0,
    invalidViaRest: 0,
    rejectedWithIssues: { trpc: 0, rest: 0 },
    statuses: {},
    durationMs: 0,
  };
  const startedAt = Date.now();
  const schema: z.ZodType | null = entry.input;
  const inputs = schema ? inputArbitraries(schema, { knownIds: target.knownIds }) : null;
  const input = inputs
    ? fc.oneof({ weight: 1, arbitrary: inputs.valid }, { weight: 1, arbitrary: inputs.wild })
    : fc.constant(undefined);
  const callers: Caller[] = ['anonymous', 'forged', ...(['user', 'admin'] as const).filter((c) => target.tokens[c])];
  const restBase = entry.rest ? target.restBase : null;

  await fc.assert(
    fc.asyncProperty(input, fc.constantFrom(...callers), async (generated, caller) => {
      stats.runs++;
      const headers: Record<string, string> = {};
      if (caller === 'forged') headers.authorization = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged';
      const token = caller === 'user' || caller === 'admin' ? target.tokens[caller] : undefined;
      if (token) headers.authorization = `Bearer ${await token(entry)}`;

      const sent = overTheWire(generated);
      // REST first: trpc-to-openapi switches on `coerce` in the input schema at its first call,
      // which changes what the schema (our oracle, and tRPC's parser) accepts from then on.
      const rest = restBase ? callRest(target, entry, restBase, sent, headers) : null;
      const viaRest = rest ? await rest.answer : null;
      const viaTrpc = await callTrpc(target, entry, sent, headers);
      const validForTrpc = schema ? schema.safeParse(sent).success : true;

      if (validForTrpc) stats.valid++;
      else stats.invalid++;
      for (const answer of [viaTrpc, viaRest]) {
        if (!answer) continue;
        stats.statuses[answer.status] = (stats.statuses[answer.status] ?? 0) + 1;
        harvestIds(answer, target);
      }
      if (checkAnswer(viaTrpc, validForTrpc ? 'valid' : 'invalid', 'trpc')) stats.rejectedWithIssues.trpc++;
      if (rest && viaRest) {
        const verdict =
          rest.received === UNROUTABLE
            ? 'unroutable'
            : rest.received === REFUSED_BY_PARSER
              ? 'unparsable'
              : !schema || schema.safeParse(rest.received).success
                ? 'valid'
                : 'invalid';
        if (verdict === 'invalid') stats.invalidViaRest++;
        if (checkAnswer(viaRest, verdict, 'rest')) stats.rejectedWithIssues.rest++;
      }
    }),
    { numRuns: target.numRuns, seed: target.seed, endOnFailure: true, includeErrorInReport: true },
  );
  stats.durationMs = Date.now() - startedAt;
  return stats;
}
