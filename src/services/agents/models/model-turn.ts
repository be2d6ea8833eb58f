import type { ModelConfig } from './model-config.js';

/** A JSON value as models send and receive them (tool arguments, tool results). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A tool call the model asked for; `input` is the parsed JSON of its arguments. */
export interface ToolCall {
  id: string;
  name: string;
  input: JsonValue;
}

/** One message of a conversation, in one shape whatever the vendor. */
export type TurnMessage =
  | { role: 'user'; text: string }
  | { role: 'assistant'; text: string; toolCalls?: ToolCall[] }
  /** The result of one tool call, sent back to the model; `isError` marks a failure it should correct. */
  | { role: 'tool'; toolCallId: string; toolName: string; output: JsonValue; isError?: boolean };

/** A tool the model may call: `parameters` is a JSON Schema of an object. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: { type: 'object'; properties?: Record<string, unknown>; required?: string[]; [key: string]: unknown };
}

export interface TurnRequest {
  model: ModelConfig;
  system?: string;
  messages: TurnMessage[];
  tools?: ToolDefinition[];
  /** Ends the turn: the HTTP request is aborted and the stream ends with `finish` reason `aborted`. */
  signal?: AbortSignal;
}

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'aborted' | 'other';

/**
 * What a turn streams, in order: reasoning and text deltas and tool calls as they come, then `usage` and
 * `finish`; or an `error` (then nothing more). `retry` tells that an attempt failed before any
 * output and another follows after `delayMs`.
 */
export type ModelEvent =
  | { type: 'text-delta'; text: string }
  /** What a reasoning model thinks aloud (Anthropic thinking, `reasoning_content` of OpenAI-compatible servers). */
  | { type: 'reasoning-delta'; text: string }
  | {
      type: 'tool-call';
      id: string;
      name: string;
      /** The parsed arguments, or their raw text when `invalid` says why they are not valid JSON. */
      input: JsonValue;
      invalid?: string;
    }
  | { type: 'usage'; inputTokens: number | null; outputTokens: number | null }
  | { type: 'finish'; reason: FinishReason }
  | { type: 'retry'; attempt: number; delayMs: number; reason: string }
  | { type: 'error'; code: string; message: string; hint?: string };
