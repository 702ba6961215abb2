export { appRouter, type AppRouter, type RouterInputs, type RouterOutputs } from './root.js';
export { createCallerFactory } from './trpc.js';
export * from './context.js';
export * from './rpc.js';
export * from './partitions.js';
export * from './schemas/index.js';
export * from './views/receipts.js';
export * from './redis-keys.js';
export * from './event-patch.js';
