import { waitFor } from '../e2e/harness/wait-for.ts';
import { DIST_DIR } from '../e2e/harness/extension-harness.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fakes/fake-openai-server.ts';
import { firstLoud, toneBurst, startPulseRig, type PulseRig } from './pulse-rig.ts';
import { launchOnRig, openPanelOnRig } from './rig-browser.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ConversationHooks {
  /** Each turn as it starts, before its burst is heard (a turn that fails still counts). */
  onTurn?(turn: number): void;
  /** Each burst, once the fake's VAD heard it: its turn (0: said while the bot is silent), its onset (epoch ms) and the fake's speech_started. */
  onHeard(turn: number, onset: number, heard: { at: number; seq: number }): Promise<void> | void;
  /** Each reply: the fake's first audio delta and the speaker sample where the reply was first heard. */
  onReply?(firstDelta: { at: number }, earIndex: number): void;
  /** Each burst said over a reply, once played: that reply's first heard sample and the burst's onset. */
  onBurstOverReply?(earIndex: number, onset: number): void;
}

/**
 * One connection's conversation on the rig against the OpenAI fake (the external-latency bench and
 * the diagnoses): a burst, then for each later turn the fake's reply, heard on the speaker, and a
 * burst over it 0.8 s in (a barge-in the fake answers in turn). The hooks run in that order, before
 * the conversation goes on; the fake hearing "the user" during a reply before the burst over it
 * (a false barge-in) ends the conversation with an error.
 */
export async function holdConversation(rig: PulseRig, oai: FakeOpenAIServer, turns: number, hooks: ConversationHooks): Promise<void> {
  let started = oai.sentOfType('input_audio_buffer.speech_started').length;
  let onset = await rig.play(toneBurst(400));
  for (let turn = 0; turn < turns; turn++) {
    hooks.onTurn?.(turn);
    const heard = await oai.waitFor(() => oai.sentOfType('input_audio_buffer.speech_started')[started], 'speech_started for the burst', 10_000);
    started++;
    await hooks.onHeard(turn, onset, heard);
    if (turn === turns - 1) return;
    // The fake answers the burst once its VAD hears the silence after it.
    const firstDelta = await oai.waitFor(() => oai.sentOfType('response.output_audio.delta').find((f) => f.seq > heard.seq), "the reply's first audio delta", 10_000);
    const earIndex = await waitFor('the reply on the speaker', () => {
      const i = firstLoud(rig.recording.samples(), rig.recording.indexAt(firstDelta.at - 5));
      return i >= 0 ? i : null;
    }, { timeoutMs: 5000 });
    hooks.onReply?.(firstDelta, earIndex);
    await sleep(Math.max(0, rig.recording.timeOf(earIndex) + 800 - Date.now()));
    if (oai.sentOfType('input_audio_buffer.speech_started').length > started) throw new Error('speech_started during the reply before the user spoke over it');
    onset = await rig.play(toneBurst(300));
    hooks.onBurstOverReply?.(earIndex, onset);
  }
}

/**
 * The built extension on a fresh rig, its panel open on the OpenAI fake (4 s replies), for a
 * diagnosis (bench/diagnostics/) to drive; everything is closed after, whatever `run` did.
 */
export async function withExtensionOnRig<T>(run: (rig: PulseRig, oai: FakeOpenAIServer, panel: Awaited<ReturnType<typeof openPanelOnRig>>) => Promise<T>): Promise<T> {
  const rig = await startPulseRig();
  try {
    const oai = await startFakeOpenAIServer({ planResponse: () => ({ text: 'a long answer that keeps going for a few seconds', audioMs: 4000 }) });
    try {
      const b = await launchOnRig(rig, { extensionDir: DIST_DIR });
      try {
        return await run(rig, oai, await openPanelOnRig(b, oai));
      } finally {
        await b.close();
      }
    } finally {
      await oai.close();
    }
  } finally {
    await rig.close();
  }
}
