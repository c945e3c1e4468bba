/**
 * Public API of the RealTimeWebsocketTransport library. No `chrome.*` anywhere below this module:
 * it runs in any web page, and in the extension's offscreen document.
 */
export { RealTimeWebsocketTransport, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_FUNCTION_CALL_TIMEOUT_MS } from './transport/realtime-websocket-transport.ts';
export type { LLMServiceOptions, FunctionCallContext, ImageInput } from './transport/realtime-websocket-transport.ts';
export { registerFunctionCallHandlerSafely } from './transport/function-call-handlers.ts';
export type { FunctionCallHandlerWithId } from './transport/function-call-handlers.ts';
export type { FrameRecord, RtviRecord, TransportObserver, FrameDirection, AudioSummary } from './transport/frame-observer.ts';
export { REDACTED } from './transport/frame-observer.ts';
export { SecretScrubber, scrubCredentialShapes } from './transport/secret-scrubber.ts';
export { ProviderSocket, httpOriginFor, assertSecureEndpoint, isLoopbackHost } from './transport/provider-socket.ts';
export { ProviderClosedError, SetupTimeoutError, MissingKeyError, MicrophoneError, describeClose } from './transport/transport-errors.ts';

export { MediaManager } from './audio/media-manager.ts';
export type { MediaFormat, MediaStats, PlaybackEvent, SpeechEvent, PlayedSamples, MediaEventsListener } from './audio/media-manager.ts';
export type { InjectUserAudioOptions, InjectedAudioReport } from './audio/user-audio-injector.ts';
export { AudioWorkletMediaManager } from './audio/audio-worklet-media-manager.ts';
export type { AudioWorkletMediaManagerOptions, EchoPath, CapturePath, CaptureResampler } from './audio/audio-worklet-media-manager.ts';
export { Resampler, resample } from './audio/resampler.ts';
export { VoiceActivityDetector } from './audio/voice-activity-detector.ts';
export { JitterBuffer } from './audio/jitter-buffer.ts';
export * as pcm from './audio/pcm.ts';

export { LoopbackTransport } from './adapters/loopback/loopback-transport.ts';
export type { LoopbackServiceOptions } from './adapters/loopback/loopback-transport.ts';
export { adapters, findAdapter, requireAdapter } from './adapters/adapter-registry.ts';
export type { AdapterDescriptor } from './adapters/adapter-descriptor.ts';
export type { SettingField, SettingKind, SettingsValues } from './adapters/settings-schema.ts';
export { defaultSettings, normalizeSettings } from './adapters/settings-schema.ts';

export { GeminiLiveWebsocketTransport } from './adapters/gemini-live/gemini-live-transport.ts';
export type { GeminiLiveServiceOptions, GeminiLiveSettings } from './adapters/gemini-live/gemini-live-transport.ts';
export { OpenAIRealtimeWebsocketTransport } from './adapters/openai-realtime/openai-realtime-transport.ts';
export type { OpenAIRealtimeServiceOptions } from './adapters/openai-realtime/openai-realtime-transport.ts';
export type { OpenAIRealtimeSettings } from './adapters/openai-realtime/openai-session-config.ts';

// A user's own Pipecat bot (Pipecat's WebSocket transport with ProtobufFrameSerializer): usable in
// any page, like the model adapters; its descriptor is also in `adapters` (id `pipecat-websocket`).
export { PipecatWebsocketTransport, PIPECAT_DEFAULT_ENDPOINT, PIPECAT_INPUT_RATE, PIPECAT_OUTPUT_RATE } from './adapters/pipecat-websocket/pipecat-websocket-transport.ts';
export type { PipecatWebsocketSettings } from './adapters/pipecat-websocket/pipecat-websocket-transport.ts';
export { default as pipecatWebsocketDescriptor, startHostPermission as pipecatStartHostPermission } from './adapters/pipecat-websocket/pipecat-websocket-descriptor.ts';
export { BotStartError } from './adapters/pipecat-websocket/pipecat-start.ts';
// The same bot over Pipecat's SmallWebRTC transport: offer/answer over HTTP, RTVI on the data
// channel, audio on the peer connection (descriptor id `pipecat-webrtc`).
export { PipecatWebrtcTransport, PIPECAT_WEBRTC_DEFAULT_ENDPOINT, PIPECAT_WEBRTC_RATE } from './adapters/pipecat-webrtc/pipecat-webrtc-transport.ts';
export type { PipecatWebrtcSettings } from './adapters/pipecat-webrtc/pipecat-webrtc-transport.ts';
export { default as pipecatWebrtcDescriptor } from './adapters/pipecat-webrtc/pipecat-webrtc-descriptor.ts';
export { BotHttpError } from './adapters/pipecat-webrtc/pipecat-webrtc-signalling.ts';
