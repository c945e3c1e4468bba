// Vitest's JSON report plus, per file, the suites whose hooks failed (`failedHooks`).
// Why: when a `beforeAll` throws, vitest marks the suite's tests "skipped", exactly like `it.skip`,
// and the plain JSON report cannot tell the two apart; the suite's own error is not in it. With the
// failing suite's title path, scripts/test-totals.mjs counts those tests as failed, not skipped.
// Use: `--reporter=./scripts/vitest-json-with-hooks.mjs --outputFile.json=<file>` (the output file
// is read from the same `outputFile.json` option as the built-in json reporter).
import { JsonReporter } from 'vitest/node';

/** Suites (and the file itself, path []) whose own result failed with errors: a hook threw. */
function failedHooks(file) {
  const found = [];
  const visit = (task, path) => {
    if (task.result?.state === 'fail' && task.result.errors?.length && task.type !== 'test') {
      found.push({ suite: path, message: String(task.result.errors[0]?.message ?? '') });
    }
    for (const child of task.tasks ?? []) if (child.type === 'suite') visit(child, [...path, child.name]);
  };
  visit(file, []);
  return found;
}

export default class JsonWithHooksReporter extends JsonReporter {
  constructor(options = {}) {
    super(options);
    this.hooksByFile = new Map();
  }

  async onTestRunEnd(testModules, ...rest) {
    this.hooksByFile = new Map(testModules.map((m) => [m.task.filepath, failedHooks(m.task)]));
    return super.onTestRunEnd(testModules, ...rest);
  }

  async writeReport(report) {
    const r = JSON.parse(report);
    for (const f of r.testResults ?? []) f.failedHooks = this.hooksByFile.get(f.name) ?? [];
    return super.writeReport(JSON.stringify(r));
  }
}
