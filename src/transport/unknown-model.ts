/**
 * A service that does not know the requested model (never did, or retired it) says so only in its
 * own words: OpenAI-style services close 4004 `invalid_request_error.model_not_found` (or send an
 * `error` with that code); Gemini closes 1008 "models/<id> is not found for API version …, or is
 * not supported for bidiGenerateContent" (provider-protocols.md A.1, B.6, §E). This turns that into
 * one plain sentence naming the model and the current default.
 */
export function unknownModelMessage(provider: string, model: string, suggestion: string): string {
  const tail = model === suggestion ? ' Check that your account or deployment has access to it.' : ` Use the current default, "${suggestion}" (Settings → Model).`;
  return `The model "${model}" is unknown to ${provider} or retired.${tail}`;
}

const OPENAI_STYLE = /model_not_found|invalid_model|DeploymentNotFound|model[^.]* (does not exist|not found)/i;
const GEMINI_STYLE = /is not found for API version|not supported for bidiGenerateContent/i;

/** OpenAI-compatible services: close 4004, or a reason/error code naming a missing model. */
export function isOpenAIUnknownModel(code: number, reason: string): boolean {
  return code === 4004 || OPENAI_STYLE.test(reason);
}

/** Gemini Live: close 1008 with the "not found for API version" text (cut at 123 bytes, so either half). */
export function isGeminiUnknownModel(code: number, reason: string): boolean {
  return code === 1008 && GEMINI_STYLE.test(reason);
}
