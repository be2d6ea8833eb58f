import { defineError } from '../../errors.js';

/** What asking a thread can refuse, each with its fix. */
export const threadErrors = {
  noAgent: defineError(
    'thread_has_no_agent',
    (threadId: string) => ({
      message: `thread ${threadId} has no agent to answer it`,
      hint: `set its agent_id (PATCH /api/threads/${threadId}) and ask again`,
    }),
    { status: 400 },
  ),
  busy: defineError(
    'thread_busy',
    (threadId: string) => ({
      message: `thread ${threadId} is still answering the previous question`,
      hint: `wait for its done event (GET /api/threads/${threadId}/events) or stop it (POST /api/threads/${threadId}/stop)`,
    }),
    { status: 409 },
  ),
  idle: defineError(
    'thread_idle',
    (threadId: string) => ({
      message: `thread ${threadId} is not answering anything: there is no turn to stop`,
    }),
    { status: 409 },
  ),
  elsewhere: defineError(
    'thread_turn_elsewhere',
    (threadId: string) => ({
      message: `thread ${threadId} is answering on another oxy server of this database`,
      hint: 'send the request to that server, or wait: a turn of a server that stopped is released when its lease ends (30 s)',
    }),
    { status: 409 },
  ),
};
