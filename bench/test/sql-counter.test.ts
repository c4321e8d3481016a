import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '@inkwell/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StatementCounter, startStatementCounter } from '../src/sql-counter.js';

/** Scenario 10 reports what this proxy counts: it must count every statement once, whatever the protocol. */
describe('statement counter', () => {
  let db: TestDatabase;
  let counter: StatementCounter;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
    const server = new URL(TEST_DATABASE_URL);
    counter = await startStatementCounter({ host: server.hostname, port: Number(server.port || 5432) });
    client = new pg.Client({ connectionString: counter.via(db.url) });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await counter?.close();
    await db?.drop();
  });

  async function count(run: () => Promise<unknown>) {
    const before = counter.statements();
    await run();
    return counter.statements() - before;
  }

  it('counts a simple query once', async () => {
    expect(await count(() => client.query('select 1'))).toBe(1);
  });

  it('counts a parameterized (extended protocol) query once, prepared or not', async () => {
    expect(await count(() => client.query('select $1::int as n', [1]))).toBe(1);
    const named = { name: 'counter-test', text: 'select $1::int as n', values: [2] };
    const twice = async () => {
      await client.query(named);
      await client.query(named);
    };
    expect(await count(twice)).toBe(2);
  });

  it('counts BEGIN and COMMIT of a transaction as statements', async () => {
    const statements = await count(async () => {
      await client.query('begin');
      await client.query('select $1::text', ['in a transaction']);
      await client.query('commit');
    });
    expect(statements).toBe(3);
  });

  it('forwards answers unchanged', async () => {
    const { rows } = await client.query('select $1::text as echoed, 40 + 2 as answer', ['through the proxy']);
    expect(rows).toEqual([{ echoed: 'through the proxy', answer: 42 }]);
  });
});
