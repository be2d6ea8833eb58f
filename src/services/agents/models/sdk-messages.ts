import { jsonSchema, tool, type JSONSchema7, type ModelMessage, type ToolSet } from 'ai';
import type { JsonValue, ToolDefinition, TurnMessage } from './model-turn.js';

/** oxy's neutral messages as the AI SDK's; the provider then renders its own wire format. */
export function toSdkMessages(messages: readonly TurnMessage[]): ModelMessage[] {
  return messages.map((message): ModelMessage => {
    switch (message.role) {
      case 'user':
        return { role: 'user', content: message.text };
      case 'assistant':
        return {
          role: 'assistant',
          content: [
            ...(message.text ? [{ type: 'text' as const, text: message.text }] : []),
            ...(message.toolCalls ?? []).map((call) => ({
              type: 'tool-call' as const,
              toolCallId: call.id,
              toolName: call.name,
              input: call.input,
            })),
          ],
        };
      case 'tool':
        return {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: message.toolCallId,
              toolName: message.toolName,
              output: output(message.output, message.isError === true),
            },
          ],
        };
    }
  });
}

/** Tools without `execute`: the SDK reports the calls and the agent loop runs them. */
export function toSdkTools(tools: readonly ToolDefinition[]): ToolSet {
  return Object.fromEntries(
    tools.map((t) => [
      t.name,
      tool({ description: t.description, inputSchema: jsonSchema(t.parameters as JSONSchema7) }),
    ]),
  );
}

function output(value: JsonValue, isError: boolean) {
  if (typeof value === 'string') return { type: isError ? ('error-text' as const) : ('text' as const), value };
  return { type: isError ? ('error-json' as const) : ('json' as const), value };
}
