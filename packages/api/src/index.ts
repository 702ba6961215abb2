export { appRouter, type AppRouter, type RouterInputs, type RouterOutputs } from './root.js';
export { createCallerFactory } from './trpc.js';
export * from './context.js';
export { setExposeErrorStacks } from './error-stacks.js';
export * from './rpc.js';
export * from './schemas/index.js';
