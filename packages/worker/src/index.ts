export { loadConfig, type WorkerConfig } from './config.js';
export { createLogger } from './logger.js';
export { type RunningWorker, startWorker } from './worker.js';
