export * from './process.js';
export * from './test-database.js';
export * from './test-redis.js';
