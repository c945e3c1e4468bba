import type { AdapterDescriptor } from '../adapter-descriptor.ts';
import { LoopbackTransport } from './loopback-transport.ts';

const loopback: AdapterDescriptor & { order: number } = {
  id: 'loopback',
  label: 'Loopback (offline echo, no key)',
  order: 30,
  needsKey: false,
  acceptsVideo: false,
  supportsPushToTalk: false,
  description: 'Plays your own speech back as the bot. No network, no key: for checking audio, devices and the inspector.',
  settings: [
    { key: 'response_delay_ms', label: 'Response delay (ms)', kind: 'number', default: 0, min: 0, max: 5000, step: 50, apply: 'live', help: 'Stand-in for model latency before the echo starts.' },
    { key: 'max_echo_seconds', label: 'Longest echo (s)', kind: 'number', default: 30, min: 1, max: 120, step: 1, apply: 'live' },
  ],
  create: (options, manager) => new LoopbackTransport(options, manager),
};

export default loopback;
