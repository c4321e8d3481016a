import { p } from '@mikro-orm/core';
import { uuidv7 } from 'uuidv7';

/** Time-ordered UUIDv7 primary key, generated in the app (PostgreSQL 15 has no uuidv7()). */
export const uuidPrimaryKey = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => uuidv7());

export const createdAt = () =>
  p
    .datetime()
    .columnType('timestamptz')
    .onCreate(() => new Date());

export const updatedAt = () =>
  p
    .datetime()
    .columnType('timestamptz')
    .onCreate(() => new Date())
    .onUpdate(() => new Date());

export const timestamp = () => p.datetime().columnType('timestamptz');
