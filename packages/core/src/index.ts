export * from './errors.js';
export * from './to-app-error.js';
export * from './redis-options.js';
export * from './env.js';
export * from './logger.js';
export * from './backoff.js';
export * from './shutdown.js';
export * from './request.js';
