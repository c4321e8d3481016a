export * from './database-admin.js';
export * from './dotenv.js';
export * from './entities/index.js';
export * from './env.js';
export * from './orm.js';
export * from './outbox/events.js';
export * from './process-entry.js';
export { seedDatabase } from './seeders/seed.js';
export { SEED_ADMIN_EMAIL, SEED_PASSWORD } from './seeders/seed-data.js';
