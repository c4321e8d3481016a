/**
 * Writes the api's public types as one self-contained TypeScript module: every procedure's
 * input and output printed structurally, the router rebuilt with tRPC's own type constructors,
 * its context and meta made opaque (`object`). The published `.d.ts` is bundled from that
 * module instead of `@inkwell/api`, whose router type carries the server's context (express
 * Request/Response, MikroORM, ioredis, pino) and the OpenAPI meta.
 *
 * Field descriptions come from the zod schemas themselves (`.describe()`), read from the
 * router at run time, and are printed as doc comments, so editors show them on hover.
 *
 * Usage: `await emitApiTypes(outFile)` (under `tsx --conditions=@inkwell/source`); `build.ts`
 * then proves the copy equal to the source types.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const apiEntry = fileURLToPath(new URL('../../api/src/index.ts', import.meta.url));
const apiTsconfig = fileURLToPath(new URL('../../api/tsconfig.json', import.meta.url));

export function loadCompilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    apiTsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${apiTsconfig}`);
  return { ...parsed.options, noEmit: true };
}

const apiRoot = new URL('../../api/src/root.ts', import.meta.url).href;

/** Which side of a zod pipe a type was inferred from: inputs are parsed, outputs produced. */
type Side = 'input' | 'output';

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** Reads a zod schema's definition (`schema._zod.def`), duck-typed: zod is not ours to import. */
function zodDef(schema: unknown): ((key: string) => unknown) | null {
  const internals: unknown = typeof schema === 'object' && schema !== null ? Reflect.get(schema, '_zod') : null;
  const def: unknown = typeof internals === 'object' && internals !== null ? Reflect.get(internals, 'def') : null;
  return typeof def === 'object' && def !== null ? (key) => Reflect.get(def, key) : null;
}

/** A zod schema seen through optional/default/pipe wrappers, with the first description met. */
function unwrapZod(schema: unknown, side: Side): { core: unknown; description: string | null } {
  let current = schema;
  let description: string | null = null;
  for (let depth = 0; depth < 20; depth += 1) {
    const found: unknown = typeof current === 'object' && current !== null ? Reflect.get(current, 'description') : null;
    if (description === null && typeof found === 'string' && found.length > 0) description = found;
    const def = zodDef(current);
    if (!def) break;
    const type = def('type');
    if (typeof type === 'string' && WRAPPERS.has(type)) current = def('innerType');
    else if (type === 'pipe') current = def(side === 'input' ? 'in' : 'out');
    else break;
  }
  return { core: current, description };
}

/** The zod schema of member `name` of an object schema, or of the elements of an array one. */
function zodChild(schema: unknown, side: Side, name: string | null): unknown {
  const def = zodDef(unwrapZod(schema, side).core);
  if (!def) return undefined;
  if (name === null) return def('type') === 'array' ? def('element') : undefined;
  const shape = def('type') === 'object' ? def('shape') : undefined;
  return typeof shape === 'object' && shape !== null ? Reflect.get(shape, name) : undefined;
}

function docComment(text: string | null): string {
  return text ? `/** ${text.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ')} */ ` : '';
}

class TypePrinter {
  constructor(private readonly checker: ts.TypeChecker) {}

  /**
   * `optional`: the type of an optional property, whose `| undefined` the `?` already says.
   * `schema`: the zod schema the type was inferred from (`side` of it), for descriptions.
   */
  print(type: ts.Type, depth = 0, optional = false, schema: unknown = undefined, side: Side = 'output'): string {
    if (depth > 40) throw new Error('type too deep to print (recursive DTO?)');
    const { checker } = this;
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return 'unknown';
    if (f & ts.TypeFlags.String) return 'string';
    if (f & ts.TypeFlags.Number) return 'number';
    if (f & ts.TypeFlags.Boolean) return 'boolean';
    if (f & ts.TypeFlags.BigInt) return 'bigint';
    if (f & ts.TypeFlags.Null) return 'null';
    if (f & ts.TypeFlags.Undefined) return 'undefined';
    if (f & ts.TypeFlags.Void) return 'void';
    if (f & ts.TypeFlags.Never) return 'never';
    if (f & ts.TypeFlags.ESSymbolLike) throw new Error('symbols cannot cross the wire');
    if (type.isStringLiteral()) return JSON.stringify(type.value);
    if (type.isNumberLiteral()) return String(type.value);
    if (f & ts.TypeFlags.BooleanLiteral) return checker.typeToString(type);
    if (type.isUnion()) {
      const members = optional ? type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined)) : type.types;
      return this.union(members, depth, schema, side);
    }
    if (type.isIntersection()) return type.types.map((t) => this.wrap(t, depth, schema, side)).join(' & ');
    if (f & ts.TypeFlags.Object) return this.object(type, depth, schema, side);
    throw new Error(`cannot print type ${checker.typeToString(type)}`);
  }

  private union(types: readonly ts.Type[], depth: number, schema: unknown, side: Side): string {
    const parts = types.map((t) => this.wrap(t, depth, schema, side));
    // `boolean` is stored as `false | true`: print it back as `boolean`.
    const hasFalse = parts.includes('false');
    if (hasFalse && parts.includes('true')) {
      return ['boolean', ...parts.filter((p) => p !== 'false' && p !== 'true')].join(' | ');
    }
    return parts.join(' | ');
  }

  private wrap(type: ts.Type, depth: number, schema: unknown, side: Side): string {
    const printed = this.print(type, depth + 1, false, schema, side);
    return type.isUnion() || type.isIntersection() ? `(${printed})` : printed;
  }

  private object(type: ts.Type, depth: number, schema: unknown, side: Side): string {
    const { checker } = this;
    if (checker.isTupleType(type)) {
      const elements = checker.getTypeArguments(type as ts.TypeReference);
      return `[${elements.map((t) => this.print(t, depth + 1)).join(', ')}]`;
    }
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference);
      if (!element) throw new Error('array without element type');
      return `Array<${this.print(element, depth + 1, false, zodChild(schema, side, null), side)}>`;
    }
    // Built-ins a JSON payload can be typed with; the consumer's lib declares them.
    const name = type.getSymbol()?.getName();
    if (name === 'Date') return 'Date';
    if (checker.getSignaturesOfType(type, ts.SignatureKind.Call).length > 0) {
      throw new Error(`functions cannot cross the wire: ${checker.typeToString(type)}`);
    }
    const members: string[] = [];
    for (const info of checker.getIndexInfosOfType(type)) {
      members.push(`[key: ${this.print(info.keyType, depth + 1)}]: ${this.print(info.type, depth + 1)};`);
    }
    for (const property of checker.getPropertiesOfType(type)) {
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      const propertyType = checker.getTypeOfSymbol(property);
      const key = /^[A-Za-z_$][\w$]*$/.test(property.name) ? property.name : JSON.stringify(property.name);
      const child = zodChild(schema, side, property.name);
      const printed = this.print(propertyType, depth + 1, optional, child, side);
      members.push(`${docComment(unwrapZod(child, side).description)}${key}${optional ? '?' : ''}: ${printed};`);
    }
    return members.length === 0 ? '{}' : `{ ${members.join(' ')} }`;
  }
}

function property(checker: ts.TypeChecker, type: ts.Type, name: string): ts.Type {
  const symbol = checker.getPropertyOfType(type, name);
  if (!symbol) throw new Error(`expected a property ${name} on ${checker.typeToString(type)}`);
  return checker.getTypeOfSymbol(symbol);
}

const PROCEDURE_TYPES: Record<string, string> = {
  query: 'TRPCQueryProcedure',
  mutation: 'TRPCMutationProcedure',
  subscription: 'TRPCSubscriptionProcedure',
};

/** A procedure's zod input and output schemas, by tRPC path (`posts.list`). */
type RuntimeSchemas = Map<string, { input: unknown; output: unknown }>;

async function loadRuntimeSchemas(): Promise<RuntimeSchemas> {
  const root: unknown = await import(apiRoot);
  const router: unknown = typeof root === 'object' && root !== null ? Reflect.get(root, 'appRouter') : null;
  const def: unknown = typeof router === 'object' && router !== null ? Reflect.get(router, '_def') : null;
  const procedures: unknown = typeof def === 'object' && def !== null ? Reflect.get(def, 'procedures') : null;
  if (typeof procedures !== 'object' || procedures === null) throw new Error(`${apiRoot} exports no appRouter`);
  const schemas: RuntimeSchemas = new Map();
  for (const [path, procedure] of Object.entries(procedures)) {
    const procedureDef: unknown = Reflect.get(Object(procedure), '_def');
    const inputs: unknown = Reflect.get(Object(procedureDef), 'inputs');
    const input = Array.isArray(inputs) && inputs.length === 1 ? inputs[0] : undefined;
    schemas.set(path, { input, output: Reflect.get(Object(procedureDef), 'output') });
  }
  return schemas;
}

function printRecord(
  checker: ts.TypeChecker,
  printer: TypePrinter,
  record: ts.Type,
  indent: string,
  schemas: RuntimeSchemas,
  prefix = '',
): string {
  const lines: string[] = [];
  for (const entry of checker.getPropertiesOfType(record)) {
    const value = checker.getTypeOfSymbol(entry);
    const def = checker.getPropertyOfType(value, '_def');
    const procedureType = def ? property(checker, checker.getTypeOfSymbol(def), 'type') : null;
    if (procedureType?.isStringLiteral()) {
      const types = property(checker, checker.getTypeOfSymbol(def as ts.Symbol), '$types');
      const runtime = schemas.get(`${prefix}${entry.name}`);
      const input = printer.print(property(checker, types, 'input'), 0, false, runtime?.input, 'input');
      const output = printer.print(property(checker, types, 'output'), 0, false, runtime?.output, 'output');
      const typeConstructor = PROCEDURE_TYPES[procedureType.value];
      if (!typeConstructor) throw new Error(`unknown procedure type ${procedureType.value}`);
      lines.push(`${indent}${entry.name}: ${typeConstructor}<{ input: ${input}; output: ${output}; meta: object }>;`);
    } else {
      const nested = printRecord(checker, printer, value, `${indent}  `, schemas, `${prefix}${entry.name}.`);
      lines.push(`${indent}${entry.name}: {`, nested, `${indent}};`);
    }
  }
  return lines.join('\n');
}

/** Prints the public types of `@inkwell/api` into `outFile`. */
export async function emitApiTypes(outFile: string): Promise<void> {
  const schemas = await loadRuntimeSchemas();
  // Only the types reachable from the router are resolved; checking the api is its own job.
  const program = ts.createProgram([apiEntry], loadCompilerOptions());
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(apiEntry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`cannot load ${apiEntry}`);
  const exported = (name: string): ts.Type => {
    const symbol = checker.getExportsOfModule(moduleSymbol).find((s) => s.name === name);
    if (!symbol) throw new Error(`@inkwell/api does not export ${name}`);
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    return checker.getDeclaredTypeOfSymbol(target);
  };

  const printer = new TypePrinter(checker);
  const router = exported('AppRouter');
  const def = property(checker, router, '_def');
  const rootTypes = property(checker, property(checker, def, '_config'), '$types');
  const transformer = printer.print(property(checker, rootTypes, 'transformer'));
  const errorShape = printer.print(property(checker, rootTypes, 'errorShape'));

  const text = `// Generated by packages/client/scripts/emit-api-types.ts from @inkwell/api. Do not edit.
import type {
  inferRouterInputs,
  inferRouterOutputs,
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from '@trpc/server';

export type FieldIssue = ${printer.print(exported('FieldIssue'))};
export type ErrorBody = ${printer.print(exported('ErrorBody'))};

/** The api's router as clients see it: context and meta are the server's business. */
export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: ${errorShape}; transformer: ${transformer} },
  {
${printRecord(checker, printer, property(checker, def, 'record'), '    ', schemas)}
  }
>;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
`;
  writeFileSync(outFile, text);
}
