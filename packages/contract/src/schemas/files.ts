import { z } from 'zod';
import { FILE_NAME_MAX_CHARS } from '../limits.js';
import { idSchema, oneLine } from './common.js';

export const attachmentKindSchema = z.enum(['image', 'audio', 'video', 'file']);
export type AttachmentKind = z.infer<typeof attachmentKindSchema>;

/** An uploaded file as every answer shows it; `url`/`thumbnailUrl` are signed (see API.md). */
export const attachmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  mime: z.string(),
  kind: attachmentKindSchema,
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
  url: z.string(),
  thumbnailUrl: z.string().nullable(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/**
 * A file's name as the uploader gave it: shown to people and offered as the download's name,
 * never used as a path, so separators are refused rather than silently cut.
 */
export const fileNameSchema = z
  .string()
  .trim()
  .min(1, 'File name is empty')
  .max(FILE_NAME_MAX_CHARS, `File name is longer than ${FILE_NAME_MAX_CHARS} characters`)
  .check(...oneLine)
  .refine((s) => !/[/\\]/.test(s), 'File name must not contain / or \\')
  .refine((s) => s !== '.' && s !== '..', 'Invalid file name');

/** The query of `POST /files`. */
export const uploadQuery = z.strictObject({ conversationId: idSchema, name: fileNameSchema });
export type UploadQuery = z.infer<typeof uploadQuery>;

/** What the gateway learned from the bytes, to complete an upload. */
export const storedFileSchema = z.strictObject({
  fileId: idSchema,
  size: z.number().int().positive(),
  mime: z.string().min(1).max(255),
  kind: attachmentKindSchema,
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
  thumbnail: z.boolean(),
});
export type StoredFile = z.infer<typeof storedFileSchema>;

/** What the gateway needs to serve a file's bytes. */
export const fileAccessSchema = z.object({
  fileId: z.string(),
  conversationId: z.string(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  mime: z.string(),
  kind: attachmentKindSchema,
  thumbnail: z.boolean(),
});
export type FileAccess = z.infer<typeof fileAccessSchema>;
