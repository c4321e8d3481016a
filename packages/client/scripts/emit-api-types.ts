/**
 * Writes the api's public types as one self-contained TypeScript module: every procedure's
 * input and output printed structurally, the router rebuilt with tRPC's own type constructors,
 * its context and meta made opaque (`object`). The published `.d.ts` is bundled from that
 * module instead of `@inkwell/api`, whose router type carries the server's context (express
 * Request/Response, MikroORM, ioredis, pino) and the OpenAPI meta.
 *
 * Usage: `emitApiTypes(outFile)`; `build.ts` then proves the copy equal to the source types.
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

class TypePrinter {
  constructor(private readonly checker: ts.TypeChecker) {}

  /** `optional`: the type of an optional property, whose `| undefined` the `?` already says. */
  print(type: ts.Type, depth = 0, optional = false): string {
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
      return this.union(members, depth);
    }
    if (type.isIntersection()) return type.types.map((t) => this.wrap(t, depth)).join(' & ');
    if (f & ts.TypeFlags.Object) return this.object(type, depth);
    throw new Error(`cannot print type ${checker.typeToString(type)}`);
  }

  private union(types: readonly ts.Type[], depth: number): string {
    const parts = types.map((t) => this.wrap(t, depth));
    // `boolean` is stored as `false | true`: print it back as `boolean`.
    const hasFalse = parts.includes('false');
    if (hasFalse && parts.includes('true')) {
      return ['boolean', ...parts.filter((p) => p !== 'false' && p !== 'true')].join(' | ');
    }
    return parts.join(' | ');
  }

  private wrap(type: ts.Type, depth: number): string {
    const printed = this.print(type, depth + 1);
    return type.isUnion() || type.isIntersection() ? `(${printed})` : printed;
  }

  private object(type: ts.Type, depth: number): string {
    const { checker } = this;
    if (checker.isTupleType(type)) {
      const elements = checker.getTypeArguments(type as ts.TypeReference);
      return `[${elements.map((t) => this.print(t, depth + 1)).join(', ')}]`;
    }
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference);
      if (!element) throw new Error('array without element type');
      return `Array<${this.print(element, depth + 1)}>`;
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
      members.push(`${key}${optional ? '?' : ''}: ${this.print(propertyType, depth + 1, optional)};`);
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

function printRecord(checker: ts.TypeChecker, printer: TypePrinter, record: ts.Type, indent: string): string {
  const lines: string[] = [];
  for (const entry of checker.getPropertiesOfType(record)) {
    const value = checker.getTypeOfSymbol(entry);
    const def = checker.getPropertyOfType(value, '_def');
    const procedureType = def ? property(checker, checker.getTypeOfSymbol(def), 'type') : null;
    if (procedureType?.isStringLiteral()) {
      const types = property(checker, checker.getTypeOfSymbol(def as ts.Symbol), '$types');
      const input = printer.print(property(checker, types, 'input'));
      const output = printer.print(property(checker, types, 'output'));
      const typeConstructor = PROCEDURE_TYPES[procedureType.value];
      if (!typeConstructor) throw new Error(`unknown procedure type ${procedureType.value}`);
      lines.push(`${indent}${entry.name}: ${typeConstructor}<{ input: ${input}; output: ${output}; meta: object }>;`);
    } else {
      lines.push(`${indent}${entry.name}: {`, printRecord(checker, printer, value, `${indent}  `), `${indent}};`);
    }
  }
  return lines.join('\n');
}

/** Prints the public types of `@inkwell/api` into `outFile`. */
export function emitApiTypes(outFile: string): void {
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
${printRecord(checker, printer, property(checker, def, 'record'), '    ')}
  }
>;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
`;
  writeFileSync(outFile, text);
}
