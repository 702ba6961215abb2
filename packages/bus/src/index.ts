export * from './bus.js';
export * from './messages.js';
export * from './topology.js';
export * from './observer.js';
export * from './domain-events.js';
