export * from './common.js';
export * from './user.js';
export * from './auth.js';
export * from './bus-events.js';
export * from './chat.js';
export * from './group.js';
export * from './notification.js';
export * from './events.js';
