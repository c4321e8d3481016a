import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { webDir } from './web-harness.js';

const srcDir = join(webDir, 'src');
const manifest: unknown = JSON.parse(readFileSync(join(webDir, 'package.json'), 'utf8'));
const dependencies = Object.keys(Object(Reflect.get(Object(manifest), 'dependencies')));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : /\.(ts|tsx)$/.test(entry.name)
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`). */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

describe('the web app is built on the public client entries only', () => {
  const files = sources(srcDir);
  const imports = files.flatMap((file) =>
    [
      ...readFileSync(file, 'utf8').matchAll(
        /(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
      ),
    ].map((match) => ({ file: relative(webDir, file), specifier: match[1] ?? match[2] ?? '' })),
  );

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(imports.some((i) => i.specifier === '@inkwell/client/react')).toBe(true);
  });

  it('relative imports stay inside src/', () => {
    const escaping = imports.filter(
      (i) => i.specifier.startsWith('.') && relative(srcDir, join(webDir, i.file, '..', i.specifier)).startsWith('..'),
    );
    expect(escaping).toEqual([]);
  });

  it('of the workspace only @inkwell/client and @inkwell/client/react; other packages are dependencies', () => {
    const bare = imports.filter((i) => !i.specifier.startsWith('.'));
    const workspace = bare.filter((i) => i.specifier.startsWith('@inkwell/'));
    expect(workspace.filter((i) => !['@inkwell/client', '@inkwell/client/react'].includes(i.specifier))).toEqual([]);
    expect(bare.filter((i) => !dependencies.includes(packageOf(i.specifier)))).toEqual([]);
  });
});
