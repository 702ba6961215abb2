/** Whether `id` can be a document id (a 24-hex ObjectId); anything else names nothing. */
export const isObjectId = (id: string): boolean => /^[0-9a-f]{24}$/i.test(id);
