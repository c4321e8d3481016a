/**
 * Builds `@inkwell/client` into dist/: ESM + CJS and one self-contained `.d.ts` per entry and
 * format. Run with `pnpm --filter @inkwell/client build`.
 *
 * 1. Stage src/ in .build/src with `api-types.ts` replaced by the flattened api types.
 * 2. Prove the flattened types equal the api's (inputs, outputs, error shape) with tsc.
 * 3. Bundle each entry separately with tsdown (no shared chunks, so every entry's `.d.ts` stands
 *    alone), inlining @trpc/tanstack-react-query (see package.json "tsdown" note in README).
 * 4. Fail if a declaration file names a module a consumer must never need.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsdown';
import ts from 'typescript';
import { emitApiTypes, loadCompilerOptions } from './emit-api-types.js';
import { FORBIDDEN_IN_DTS } from './forbidden.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const staging = join(root, '.build');
const dist = join(root, 'dist');

async function stage(): Promise<void> {
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  cpSync(join(root, 'src'), join(staging, 'src'), {
    recursive: true,
    filter: (path) => !path.endsWith('.test.ts'),
  });
  await emitApiTypes(join(staging, 'src/api-types.ts'));
  writeFileSync(
    join(staging, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../../tsconfig.base.json',
      compilerOptions: { customConditions: [], lib: ['ES2023', 'DOM'], jsx: 'react-jsx' },
      include: ['src'],
    }),
  );
}

/** The flattened copy must be the api's types, not merely similar ones. */
function checkEquivalence(): void {
  const check = join(staging, 'equivalence.ts');
  writeFileSync(
    check,
    `import type { AppRouter as Source } from '@inkwell/api';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter as Published } from './src/api-types.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type ErrorShape<R extends { _def: { _config: { $types: { errorShape: unknown } } } }> = R['_def']['_config']['$types']['errorShape'];
export const inputs: Equal<inferRouterInputs<Source>, inferRouterInputs<Published>> = true;
export const outputs: Equal<inferRouterOutputs<Source>, inferRouterOutputs<Published>> = true;
export const errors: Equal<ErrorShape<Source>, ErrorShape<Published>> = true;
`,
  );
  const { rootDir: _rootDir, outDir: _outDir, ...options } = loadCompilerOptions();
  const program = ts.createProgram([check], options);
  const source = program.getSourceFile(check);
  // Only this file is checked: the equalities force every procedure's types to be resolved.
  const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    throw new Error(`flattened api types differ from @inkwell/api:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
  rmSync(check);
}

async function bundle(): Promise<void> {
  rmSync(dist, { recursive: true, force: true });
  for (const entry of ['index', 'react']) {
    await build({
      entry: { [entry]: join(staging, `src/${entry}.ts`) },
      outDir: dist,
      format: ['esm', 'cjs'],
      platform: 'neutral',
      target: 'es2022',
      tsconfig: join(staging, 'tsconfig.json'),
      clean: false,
      config: false,
      sourcemap: false,
      logLevel: 'warn',
      // Built against @trpc/client 11.25; its only release pins @trpc/* 11.22.1 as exact peers,
      // which npm would refuse next to ours, so its code and types ship inside the react entry.
      deps: { alwaysBundle: ['@trpc/tanstack-react-query'], onlyBundle: ['@trpc/tanstack-react-query'] },
      dts: true,
    });
  }
}

/**
 * The React entry's declarations inline @trpc/tanstack-react-query's, whose option types
 * (`UnusedSkipTokenTRPCQueryOptionsOut`, …) that package declares without exporting. A consumer
 * package that exports `() => useInkwell().posts.byId.queryOptions(…)` must be able to name
 * them in its own declarations (TS4058 otherwise), so every top-level type the bundle declares
 * is exported by name.
 */
function exportBundledTypes(): void {
  for (const name of readdirSync(dist).filter((file) => /^react\.d\.[cm]?ts$/.test(file))) {
    const path = join(dist, name);
    const text = readFileSync(path, 'utf8');
    const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
    // Local names already exported, and the public names in use (a clash would be a duplicate export).
    const exported = new Set<string>();
    for (const statement of source.statements) {
      if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) {
          exported.add((element.propertyName ?? element.name).text);
          exported.add(element.name.text);
        }
      }
    }
    const unexported = source.statements
      .filter((statement) => ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement))
      .filter((statement) => !statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
      .map((statement) => statement.name.text)
      .filter((typeName) => !exported.has(typeName));
    if (unexported.length === 0) continue;
    writeFileSync(path, `${text.trimEnd()}\nexport type { ${[...new Set(unexported)].sort().join(', ')} };\n`);
  }
}

function checkDeclarations(): void {
  const declarations = readdirSync(dist).filter((name) => /\.d\.[cm]?ts$/.test(name));
  if (declarations.length !== 4) throw new Error(`expected 4 declaration files, got ${declarations.join(', ')}`);
  for (const name of declarations) {
    const text = readFileSync(join(dist, name), 'utf8');
    const imported = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1] ?? '');
    const bad = imported.filter((specifier) =>
      FORBIDDEN_IN_DTS.some(
        (forbidden) => specifier === forbidden || specifier.startsWith(`${forbidden}/`) || specifier.includes('/src/'),
      ),
    );
    if (bad.length > 0 || imported.some((specifier) => specifier.startsWith('.'))) {
      throw new Error(`${name} imports ${[...bad, ...imported.filter((s) => s.startsWith('.'))].join(', ')}`);
    }
  }
}

/** The LICENSE must carry the notice of every package bundled into dist/, verbatim. */
function checkNotices(): void {
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  const bundledLicense = readFileSync(
    join(dirname(require.resolve('@trpc/tanstack-react-query/package.json')), 'LICENSE'),
    'utf8',
  );
  if (!license.includes(bundledLicense.trim())) {
    throw new Error('LICENSE lacks the notice of @trpc/tanstack-react-query (bundled into dist/react.*)');
  }
}

checkNotices();
await stage();
checkEquivalence();
await bundle();
exportBundledTypes();
checkDeclarations();
console.log(`built ${readdirSync(dist).join(', ')}`);
