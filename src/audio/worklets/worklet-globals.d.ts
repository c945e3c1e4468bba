/** The AudioWorkletGlobalScope members the processors use (lib.dom does not declare them). */
declare const sampleRate: number;
declare const currentTime: number;
declare const currentFrame: number;

interface AudioWorkletProcessorBase {
  readonly port: MessagePort;
}

declare const AudioWorkletProcessor: {
  prototype: AudioWorkletProcessorBase;
  new (options?: { processorOptions?: unknown; numberOfInputs?: number; numberOfOutputs?: number }): AudioWorkletProcessorBase;
};

interface AudioWorkletProcessorWithProcess extends AudioWorkletProcessorBase {
  process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
}

declare function registerProcessor(name: string, processorCtor: new (options: { processorOptions?: unknown }) => AudioWorkletProcessorWithProcess): void;
