import { z } from 'zod';

/** Payloads of domain events on the bus (routing key → data); internal, not client events. */
export const userCreatedEventSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  createdAt: z.string(),
});
export type UserCreatedEvent = z.infer<typeof userCreatedEventSchema>;

export const userLoginEventSchema = z.object({ id: z.string(), at: z.string(), ip: z.string().nullable() });
export type UserLoginEvent = z.infer<typeof userLoginEventSchema>;
