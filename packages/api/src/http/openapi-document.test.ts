import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { compileErrors, validate } from '@readme/openapi-parser';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { publicProcedure } from '../procedures.js';
import { startTestApi, type TestApi } from '../test/harness.js';
import { router } from '../trpc.js';
import { buildOpenApiDocument } from './openapi.js';

const apiRoot = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = fileURLToPath(new URL('../../../../artifacts/', import.meta.url));
const scratch = fileURLToPath(new URL('../../../../.tmp/rest-consumer/', import.meta.url));

const spectralResults = z.array(
  z.object({
    code: z.union([z.string(), z.number()]),
    message: z.string(),
    severity: z.number(), // 0 error, 1 warning, 2 info, 3 hint
    path: z.array(z.union([z.string(), z.number()])),
  }),
);

async function spectral(file: string) {
  const run = await promisify(execFile)(
    // The package's own bin: no pnpm needed on PATH, and no download of another version.
    `${apiRoot}node_modules/.bin/spectral`,
    ['lint', file, '--ruleset', 'spectral/ruleset.mjs', '--format', 'json', '--fail-severity', 'error'],
    { cwd: apiRoot },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return spectralResults.parse(JSON.parse(run.stdout.slice(run.stdout.indexOf('['))));
}

/** The REST consumer: typed by the generated paths, one deliberate mistake that must not compile. */
const consumerSource = `import type { components, paths } from './schema.js';

type ErrorBody = components['schemas']['Error'];
type CreatePost = paths['/posts']['post'];
type NewPost = NonNullable<CreatePost['requestBody']>['content']['application/json'];
type Post = CreatePost['responses'][201]['content']['application/json'];
type PostPage = paths['/posts']['get']['responses'][200]['content']['application/json'];
type PostsQuery = NonNullable<paths['/posts']['get']['parameters']['query']>;

export async function publish(base: string, token: string, post: NewPost): Promise<Post | ErrorBody> {
  const res = await fetch(\`\${base}/posts\`, {
    method: 'POST',
    headers: { authorization: \`Bearer \${token}\`, 'content-type': 'application/json' },
    body: JSON.stringify(post),
  });
  return res.status === 201 ? ((await res.json()) as Post) : ((await res.json()) as ErrorBody);
}

export const query: PostsQuery = { sort: 'top', tag: 'typescript', limit: 10 };
export const titles = (page: PostPage): string[] => page.items.map((item) => item.title);
export const fieldsOf = (error: ErrorBody): string[] => (error.issues ?? []).map((issue) => issue.path);
export const draft: NewPost = { title: 'Hello', body: 'From a generated client', tags: ['rest'] };

// @ts-expect-error: 'newest' is not a sort order of GET /posts, so the generated enum must reject it.
export const wrongSort: PostsQuery = { sort: 'newest' };
`;

describe('/openapi.json', () => {
  let api: TestApi;
  let document: Record<string, unknown>;

  beforeAll(async () => {
    // The published document names the public https URL, as a deployment does.
    api = await startTestApi({ env: { PUBLIC_URL: 'https://inkwell.example' } });
    const res = await fetch(`${api.url}/openapi.json`);
    expect(res.status).toBe(200);
    document = z.record(z.string(), z.unknown()).parse(await res.json());
    await mkdir(artifacts, { recursive: true });
    await writeFile(`${artifacts}openapi.json`, JSON.stringify(document, null, 2));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document).toMatchObject({
      openapi: '3.1.0',
      info: { title: 'Inkwell API' },
      servers: [{ url: 'https://inkwell.example/api' }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    });
    const result = await validate(`${artifacts}openapi.json`);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('describes the real operations: 201 for creations, who may call, rate limits', () => {
    const operations = z
      .object({
        paths: z.record(
          z.string(),
          z.record(
            z.string(),
            z.looseObject({
              security: z.array(z.record(z.string(), z.array(z.string()))),
              responses: z.record(z.string(), z.unknown()),
            }),
          ),
        ),
      })
      .parse(document).paths;
    const statuses = (path: string, method: string) => Object.keys(operations[path]?.[method]?.responses ?? {}).sort();
    expect(statuses('/posts', 'post')).toEqual(['201', '400', '401', '403', '500']);
    expect(statuses('/posts/{postId}/comments', 'post')).toContain('201');
    expect(statuses('/posts/{id}', 'delete')).toContain('200');
    expect(statuses('/auth/login', 'post')).toContain('429');
    expect(operations['/posts']?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(operations['/posts']?.get?.security).toEqual([{}, { bearerAuth: [] }]);
    expect(operations['/auth/refresh']?.post?.security).toEqual([{}, { refreshCookie: [] }]);
    expect(operations['/auth/login']?.post?.security).toEqual([{}]); // ignores any access token
  });

  it('passes Spectral with the OWASP ruleset without errors (offline, ruleset from node_modules)', async () => {
    const results = await spectral(`${artifacts}openapi.json`);
    const lines = results.map((r) => `${['error', 'warn', 'info', 'hint'][r.severity]} ${r.code} ${r.path.join('.')}`);
    await writeFile(`${artifacts}spectral.txt`, `${lines.join('\n')}\n`);
    expect(
      results.filter((r) => r.severity === 0).map((r) => `${r.code}: ${r.message} at ${r.path.join('.')}`),
    ).toEqual([]);
  });

  it('still fails an unbounded request input (the ruleset bites)', async () => {
    const unbounded = router({
      search: publicProcedure
        .meta({ openapi: { method: 'GET', path: '/search', tags: ['t'], summary: 'Search', protect: false } })
        .input(z.strictObject({ q: z.string() }))
        .output(z.object({ hits: z.number().int().min(0).max(100) }))
        .query(() => ({ hits: 0 })),
    });
    const file = `${scratch}unbounded.json`;
    await mkdir(scratch, { recursive: true });
    await writeFile(
      file,
      JSON.stringify(buildOpenApiDocument(unbounded, { publicUrl: 'https://x.example', env: 'test' })),
    );
    const errors = (await spectral(file)).filter((r) => r.severity === 0);
    expect(errors.map((r) => `${r.code} ${r.path.join('.')}`)).toEqual([
      'owasp:api4:2023-string-limit:request paths./search.get.parameters.0.schema',
    ]);
  });

  it('generates TypeScript types that a REST consumer typechecks against', async () => {
    const schema = astToString(await openapiTS(pathToFileURL(`${artifacts}openapi.json`)));
    await mkdir(scratch, { recursive: true });
    await writeFile(`${scratch}schema.ts`, schema);
    await writeFile(`${scratch}consumer.ts`, consumerSource);
    const program = ts.createProgram([`${scratch}consumer.ts`], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
      types: [],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    // An unneeded @ts-expect-error is itself a diagnostic, so none means the mistake was caught.
    expect(diagnostics).toEqual([]);

    // The same consumer without the directive fails exactly on that line.
    await writeFile(`${scratch}consumer-unchecked.ts`, consumerSource.replace('// @ts-expect-error', '//'));
    const unchecked = ts.createProgram([`${scratch}consumer-unchecked.ts`], program.getCompilerOptions());
    expect(ts.getPreEmitDiagnostics(unchecked).map((d) => d.code)).toEqual([2322]);
  });
});
