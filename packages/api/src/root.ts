import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { router } from './trpc.js';
import { authRouter } from './routers/auth.js';
import { userRouter } from './routers/user.js';
import { chatRouter } from './routers/chat.js';
import { groupRouter } from './routers/group.js';
import { notificationRouter } from './routers/notification.js';
import { eventsRouter } from './routers/events.js';
import { pushRouter } from './routers/push.js';

export const appRouter = router({
  auth: authRouter,
  user: userRouter,
  chat: chatRouter,
  group: groupRouter,
  notification: notificationRouter,
  push: pushRouter,
  events: eventsRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
