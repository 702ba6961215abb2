/**
 * The contract between clients, the gateway and the workers, importable by the browser and
 * by Node alike (no Node-only code here: the build has no Node types). Schemas of every
 * input, output, client event and bus event; the method table; limits, close codes, Redis
 * keys, partitioning, and the rule that derives a message's status.
 */
export * from './schemas/index.js';
export * from './methods.js';
export * from './limits.js';
export * from './close-codes.js';
export * from './redis-keys.js';
export * from './partitions.js';
export * from './views/receipts.js';
export * from './event-patch.js';
export * from './views/quote.js';
export * from './views/search-words.js';
