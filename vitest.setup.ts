import { deleteIssuedRedisPrefixes } from '@inkwell/db/testing';
import { afterAll } from 'vitest';

// Runs after the file's own hooks: whatever a test file left under its Redis prefixes goes.
afterAll(deleteIssuedRedisPrefixes, 60_000);
