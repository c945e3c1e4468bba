import { describeAdapterFuzz } from '../../../test/fakes/adapter-fuzz-suite.ts';

// Mutated real OpenAI GA events (provider-protocols.md C.1): text frames, `realtime` subprotocol.
describeAdapterFuzz('openai', 'OpenAI Realtime');
