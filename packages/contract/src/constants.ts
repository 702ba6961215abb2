/**
 * The contract's plain values (limits, close codes) without its schemas: what a browser
 * bundle imports when it needs a number but not zod (`@chat/contract/constants`).
 */
export * from './limits.js';
export * from './close-codes.js';
