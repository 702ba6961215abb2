/**
 * Limits a client must respect, shared by the server's schemas and the clients' forms (the
 * composer counts characters against the same number the server checks).
 */

/** Characters of a message's content after trimming. */
export const MAX_CONTENT_CHARS = 4000;
/** A group holds up to this many members, the owner included. */
export const MAX_GROUP_MEMBERS = 10_000;
/** Ids per group.create / group.addMembers call. */
export const MAX_MEMBER_IDS_PER_CALL = 255;
/** Message ids per chat.markDelivered call. */
export const MAX_MARK_DELIVERED_IDS = 500;
/** Notification ids per notification.markRead call. */
export const MAX_NOTIFICATION_IDS = 500;
/**
 * Receipts lists (`deliveredTo`, `readBy`) are enumerated for conversations up to this many
 * participants; in larger groups they are empty and only `status` is given, because the
 * lists would grow with the group on every message of every history page and event.
 */
export const RECEIPT_LISTS_MAX_PARTICIPANTS = 256;
/** A `typing: true` expires this long after it was sent unless refreshed. */
export const TYPING_TTL_MS = 5_000;
/** Attachments per message. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
/** Characters of an uploaded file's name. */
export const FILE_NAME_MAX_CHARS = 255;
/** Bytes of one upload unless the server's FILE_MAX_BYTES says otherwise. */
export const DEFAULT_FILE_MAX_BYTES = 25 * 1024 * 1024;
/** Longest side of an image thumbnail, in pixels. */
export const THUMBNAIL_MAX_PX = 480;
/** An upload that no message used within this long is deleted. */
export const UPLOAD_UNUSED_TTL_MS = 24 * 60 * 60 * 1000;
/** Distinct emoji reactions on one message. */
export const MAX_REACTIONS_PER_MESSAGE = 20;
/** Characters of the original shown in a reply's quote. */
export const REPLY_PREVIEW_CHARS = 200;
/** `events.stream` subscriptions open at once on one WebSocket (HTTP streams: per client address). */
export const MAX_STREAMS_PER_CONNECTION = 8;
