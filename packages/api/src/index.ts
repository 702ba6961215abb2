export { appRouter, type AppRouter, type RouterInputs, type RouterOutputs } from './root.js';
export { createCallerFactory } from './trpc.js';
export * from './context.js';
export { setExposeErrorStacks } from './error-stacks.js';
export * from './rpc.js';
// The browser-safe contract (schemas, method table, limits, keys): Node code may keep
// importing it from here; the browser imports `@chat/contract` itself.
export * from '@chat/contract';
