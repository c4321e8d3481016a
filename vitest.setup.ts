// The Redis helpers alone (the same module the tests get through @inkwell/db/testing): every
// file loads this, and the index would also load MikroORM into files that never use it.
import { afterAll } from 'vitest';
import { deleteIssuedRedisPrefixes } from './packages/db/src/testing/test-redis.js';

// Runs after the file's own hooks: whatever a test file left under its Redis prefixes goes.
afterAll(deleteIssuedRedisPrefixes, 60_000);
