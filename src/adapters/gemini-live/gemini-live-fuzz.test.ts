import { describeAdapterFuzz } from '../../../test/fakes/adapter-fuzz-suite.ts';

// Mutated real Gemini frames (provider-protocols.md C.2): binary JSON, setup-first handshake.
describeAdapterFuzz('gemini', 'Gemini Live');
