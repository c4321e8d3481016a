import type { MikroORM } from '@inkwell/db';

/** Delivery rows by state, straight from PostgreSQL. */
export async function deliveryCounts(orm: MikroORM): Promise<{ sent: number; sending: number }> {
  const rows = await orm.em
    .fork()
    .execute<{ state: string; count: number }[]>(
      'select state, count(*)::int as count from mail_deliveries group by state',
    );
  const count = (state: string) => rows.find((row) => row.state === state)?.count ?? 0;
  return { sent: count('sent'), sending: count('sending') };
}
