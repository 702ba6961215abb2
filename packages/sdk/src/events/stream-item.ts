import type { ClientEvent } from '@chat/api';

/** What `events.stream` yields: tracked events wrapped with their id, live-only ones bare. */
export type StreamItem = ClientEvent | { id: string; data: ClientEvent };

export const eventOf = (item: StreamItem): ClientEvent => ('type' in item ? item : item.data);
