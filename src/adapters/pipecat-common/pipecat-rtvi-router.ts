import type { FunctionCallContext } from '../../transport/realtime-websocket-transport.ts';

/** The RTVI envelope label (pipecat-server.md §3; client-js rtvi/messages.ts). */
export const RTVI_LABEL = 'rtvi-ai';

/**
 * What a Pipecat transport adapter gives the router: closures over its protected transport
 * methods. Shared by every Pipecat transport (WebSocket MessageFrames today; the SmallWebRTC data
 * channel's JSON text carries the same messages, pipecat-server.md §2 "Data channel").
 */
export interface PipecatRtviHost {
  isSettingUp(): boolean;
  markReady(sourceFrameIds: number[], botReadyData: unknown): void;
  /** `messageId`: the bot's id for the message (its server-response / error-response answers our request by it). */
  emit(type: string, data: unknown, sourceFrameIds: number[], messageId?: string): void;
  emitError(message: string, sourceFrameIds: number[]): void;
  beginFunctionCall(call: FunctionCallContext, sourceFrameIds: number[]): void;
  /** Names of the functions the workbench answers (Tools (JSON)). */
  declaredTools(): string[];
  /** The bot began a new spoken reply (a new playback item for its audio). */
  onBotStartedSpeaking(): void;
}

/**
 * Routes the bot's RTVI messages: passed through as sent, one row each, linked to the frame that
 * carried it; the bot's bot-ready completes Connect; a call to a function the workbench answers
 * becomes a pending call that the panel's mocks answer.
 */
export class PipecatRtviRouter {
  /** The bot's `llm-function-call-started` for a call the workbench answers, held until its in-progress names the call. */
  private heldStarted: number[] = [];
  /** Our llm-function-call-result messages by id: an error-response with that id is the bot refusing it. */
  private sentResults = new Map<string, FunctionCallContext>();
  /** The nameless-call hint was given this session. */
  private hintedReportLevel = false;

  constructor(private readonly host: PipecatRtviHost) {}

  reset(): void {
    this.heldStarted = [];
    this.sentResults.clear();
    this.hintedReportLevel = false;
  }

  /** The workbench answered `call` with the message `messageId`. */
  resultSent(messageId: string, call: FunctionCallContext): void {
    this.sentResults.set(messageId, call);
    if (this.sentResults.size > 100) this.sentResults.delete(this.sentResults.keys().next().value as string);
  }

  /** One RTVI message as JSON text (MessageFrame.data, or a data-channel message). */
  route(text: string, frameId: number): void {
    let msg: { label?: unknown; type?: unknown; data?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      this.host.emitError('The bot sent a message whose data is not JSON; it was ignored.', [frameId]);
      return;
    }
    if (!msg || typeof msg !== 'object' || msg.label !== RTVI_LABEL || typeof msg.type !== 'string') {
      // Pipecat passes any transport message through; only RTVI is labelled rtvi-ai.
      this.host.emit('server-message', { frame: 'MessageFrame', data: msg }, [frameId]);
      return;
    }
    const type = msg.type;
    const data = (msg.data ?? {}) as Record<string, unknown>;
    const msgId = (msg as { id?: unknown }).id;
    switch (type) {
      case 'error-response': {
        // RTVIProcessor answers a result it cannot take with an error-response carrying our message
        // id (processor.py:376-381); the call never reaches the bot's LLM, so it is not answered.
        const call = typeof msgId === 'string' ? this.sentResults.get(msgId) : undefined;
        if (call) {
          this.sentResults.delete(msgId as string);
          this.host.emit(type, msg.data ?? {}, [frameId]);
          this.host.emitError(`The bot refused the result of ${call.functionName} (call ${call.toolCallId}): ${String(data.error ?? 'no reason given')}. The call is still waiting in the bot.`, [frameId]);
          return;
        }
        break;
      }
      case 'bot-ready':
        if (this.host.isSettingUp()) {
          this.host.markReady([frameId], msg.data ?? {});
          return;
        }
        break;
      case 'bot-started-speaking':
        this.host.onBotStartedSpeaking();
        break;
      case 'llm-function-call-started':
        if (this.answers(data.function_name)) {
          this.heldStarted.push(frameId);
          return;
        }
        break;
      case 'llm-function-call-in-progress':
        if (typeof data.function_name !== 'string' && !this.hintedReportLevel && this.host.declaredTools().length > 0) {
          // Pipecat's default function_call_report_level is {"*": NONE} (rtvi/observer.py:192-193):
          // calls arrive as {tool_call_id} only, so no mock can know which function was called.
          this.hintedReportLevel = true;
          this.host.emit(type, msg.data ?? {}, [frameId]);
          this.host.emitError(
            `The bot reported a function call without its name (tool_call_id ${String(data.tool_call_id ?? '?')}), so the workbench's mocks (${this.host.declaredTools().join(', ')}) cannot answer it and the bot may wait. Pipecat reports calls at function_call_report_level NONE by default; in the bot, pass rtvi_observer_params=RTVIObserverParams(function_call_report_level={"*": RTVIFunctionCallReportLevel.FULL}) (or NAME, or list only the functions the workbench answers) to the pipeline worker/task.`,
            [frameId],
          );
          return;
        }
        if (this.answers(data.function_name) && typeof data.tool_call_id === 'string') {
          const held = this.heldStarted.splice(0);
          this.host.beginFunctionCall({ toolCallId: data.tool_call_id, functionName: data.function_name as string, arguments: asArgs(data.arguments) }, [...held, frameId]);
          return;
        }
        break;
      case 'llm-function-call':
        // Deprecated form, sent by RTVIProcessor.handle_function_call() (pipecat-server.md §3).
        if (this.answers(data.function_name) && typeof data.tool_call_id === 'string') {
          this.host.beginFunctionCall({ toolCallId: data.tool_call_id, functionName: data.function_name as string, arguments: asArgs(data.args) }, [frameId]);
          return;
        }
        break;
      default:
        break;
    }
    this.host.emit(type, msg.data ?? {}, [frameId], typeof msgId === 'string' && msgId ? msgId : undefined);
  }

  private answers(name: unknown): boolean {
    return typeof name === 'string' && name !== '' && this.host.declaredTools().includes(name);
  }
}

function asArgs(v: unknown): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v === 'string') {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
  }
  return {};
}

/** Function names declared in a Tools (JSON) text; none when it does not parse. */
export function declaredToolNames(toolsJson: unknown): string[] {
  if (typeof toolsJson !== 'string' || !toolsJson.trim()) return [];
  try {
    const v = JSON.parse(toolsJson) as unknown;
    if (!Array.isArray(v)) return [];
    return v.map((t) => (t && typeof t === 'object' ? (t as { name?: unknown }).name : undefined)).filter((n): n is string => typeof n === 'string');
  } catch {
    return [];
  }
}
