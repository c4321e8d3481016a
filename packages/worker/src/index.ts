export { loadConfig, type WorkerConfig } from './config.js';
export { createLogger } from './logger.js';
export { renderMail } from './mail/templates.js';
export { bullPrefix, MAIL_QUEUE_NAME } from './queue.js';
export { type RunningWorker, startWorker } from './worker.js';
