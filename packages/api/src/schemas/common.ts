import { z } from 'zod';

/** Ids are opaque strings (Mongo ObjectIds today); bounded so junk can't reach a query. */
export const idSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'Invalid id');

export const cursorSchema = z.string().min(1).max(512);

export const httpsUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .url()
  .refine((v) => v.startsWith('https://'), 'Must be an https URL');

export const isoDate = z.string();

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export type Page<T> = { items: T[]; nextCursor: string | null };
