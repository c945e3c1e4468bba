import type { SettingField } from '../settings-schema.ts';

/**
 * `Tools (JSON)` of every Pipecat bot adapter: the functions the bot asks this client to run,
 * answered by the workbench's mocks (the router reads their names: declaredToolNames).
 */
export const PIPECAT_TOOLS_SETTING: SettingField = {
  key: 'tools',
  label: 'Tools (JSON)',
  kind: 'json',
  default: '[]',
  apply: 'live',
  help: 'Functions the bot asks this client to run (llm-function-call-in-progress with a function name): declare their names here and the mocks below answer. Nothing here is sent to the bot; its own tools stay on the server.',
};
