export * from './env.js';
export * from './setup.js';
export * from './spans.js';
export * from './mongo.js';
