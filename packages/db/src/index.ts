export * from './connect.js';
export * from './auth/index.js';
export * from './users/index.js';
export type { Connection } from 'mongoose';
export * from './chat/index.js';
export * from './notifications/index.js';
