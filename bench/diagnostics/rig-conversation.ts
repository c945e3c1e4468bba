import { waitFor } from '../../e2e/harness/wait-for.ts';
import { DIST_DIR } from '../../e2e/harness/extension-harness.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../test/fakes/fake-openai-server.ts';
import { firstLoud, startPulseRig, toneBurst, type PulseRig } from '../pulse-rig.ts';
import { launchOnRig, openPanelOnRig } from '../rig-browser.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One connection's conversation on the rig, as the external-latency bench holds it: a burst, then
 * for each later turn the fake's reply, heard on the speaker, and a burst over it 0.8 s in (a
 * barge-in the fake answers in turn). `onHeard` runs once per burst, with its onset (epoch ms) and
 * the fake's speech_started for it, before the conversation goes on.
 */
export async function holdConversation(rig: PulseRig, oai: FakeOpenAIServer, turns: number, onHeard: (turn: number, onset: number, heard: { at: number; seq: number }) => Promise<void>): Promise<void> {
  let started = oai.sentOfType('input_audio_buffer.speech_started').length;
  let onset = await rig.play(toneBurst(400));
  for (let turn = 0; turn < turns; turn++) {
    const heard = await oai.waitFor(() => oai.sentOfType('input_audio_buffer.speech_started')[started], 'speech_started for the burst', 10_000);
    started++;
    await onHeard(turn, onset, heard);
    if (turn === turns - 1) return;
    const firstDelta = await oai.waitFor(() => oai.sentOfType('response.output_audio.delta').find((f) => f.seq > heard.seq), "the reply's first audio delta", 10_000);
    const ear = await waitFor('the reply on the speaker', () => {
      const i = firstLoud(rig.recording.samples(), rig.recording.indexAt(firstDelta.at - 5));
      return i >= 0 ? i : null;
    }, { timeoutMs: 5000 });
    await sleep(Math.max(0, rig.recording.timeOf(ear) + 800 - Date.now()));
    onset = await rig.play(toneBurst(300));
  }
}

/**
 * The built extension on a fresh rig, its panel open on the OpenAI fake (4 s replies), for a
 * diagnosis to drive; everything is closed after, whatever `run` did.
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
