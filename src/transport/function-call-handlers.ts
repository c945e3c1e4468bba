import type { LLMFunctionCallResult, PipecatClient } from '@pipecat-ai/client-js';
import { errorMessage } from './transport-errors.ts';
import type { FunctionCallContext, RealTimeWebsocketTransport } from './realtime-websocket-transport.ts';

export type FunctionCallHandlerWithId = (call: FunctionCallContext) => Promise<LLMFunctionCallResult | void> | LLMFunctionCallResult | void;

/**
 * Registers a function-call handler that always answers. client-js only logs a handler that throws
 * (the model then waits forever), so a throw becomes `{error}`. A handler that returns undefined
 * sends nothing now: the transport answers `{error: 'timeout'}` after the per-call timeout unless
 * a result arrives later through `client.sendClientMessage`-free paths (e.g. the panel's "Ask me").
 * The handler also gets the tool_call_id, which client-js does not pass: handlers run synchronously
 * inside the in-progress event, while the transport exposes the call it is dispatching.
 */
export function registerFunctionCallHandlerSafely(
  client: PipecatClient,
  transport: RealTimeWebsocketTransport,
  functionName: string,
  handler: FunctionCallHandlerWithId,
): void {
  client.registerFunctionCallHandler(functionName, async (params) => {
    const call: FunctionCallContext = transport.currentFunctionCall ?? { toolCallId: '', functionName: params.functionName, arguments: params.arguments };
    try {
      const result = await handler(call);
      return result === undefined ? undefined : result;
    } catch (e) {
      return { error: errorMessage(e) };
    }
  });
}
