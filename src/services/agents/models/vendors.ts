import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import { OLLAMA_DEFAULT_URL, type ModelConfig, type ModelVendor } from './model-config.js';

// The SDK prints its call warnings (e.g. the default max_tokens of a model it does not know) with
// console.warn; oxy's output (CLI, JSON, server logs) is its own, so they stay out of it.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

// Oxy's defaults, given explicitly: left unset, the SDK would read OPENAI_BASE_URL /
// ANTHROPIC_BASE_URL from the environment and could send the key somewhere the config never named.
const OPENAI_URL = 'https://api.openai.com/v1';
const ANTHROPIC_URL = 'https://api.anthropic.com/v1';

/** What a vendor module gets: the model's config and its key (resolved at call time). */
export interface VendorOptions {
  model: ModelConfig;
  apiKey: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * The AI SDK provider of each vendor: the SDK speaks the wire protocol and parses the streams.
 * `openai` uses Chat Completions (`.chat`), the protocol every OpenAI-compatible server speaks too.
 * A new vendor is one entry here.
 */
const VENDORS: Record<ModelVendor, (options: VendorOptions) => LanguageModel> = {
  openai: ({ model, apiKey, fetch }) =>
    createOpenAI({ apiKey: apiKey ?? '', baseURL: model.api_url ?? OPENAI_URL, headers: model.headers, fetch }).chat(
      model.model_ref,
    ),
  anthropic: ({ model, apiKey, fetch }) =>
    createAnthropic({ apiKey: apiKey ?? '', baseURL: model.api_url ?? ANTHROPIC_URL, headers: model.headers, fetch })(
      model.model_ref,
    ),
  openai_compat: compatible,
  ollama: compatible,
};

export function languageModel(options: VendorOptions): LanguageModel {
  return VENDORS[options.model.vendor](options);
}

function compatible({ model, apiKey, fetch }: VendorOptions): LanguageModel {
  return createOpenAICompatible({
    name: model.vendor,
    baseURL: model.api_url ?? OLLAMA_DEFAULT_URL,
    // No key, no Authorization header: local servers (Ollama, llama.cpp) need none.
    ...(apiKey ? { apiKey } : {}),
    headers: model.headers,
    includeUsage: true,
    fetch,
  })(model.model_ref);
}
