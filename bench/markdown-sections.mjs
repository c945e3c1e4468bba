// Replaces one producer's marked section of BENCHMARKS.md and leaves every other section as it was.
// Plain JS so that scripts/bench.mjs (Node, no TypeScript) and the TypeScript benches share it.

/** @param {string} name */
export function sectionMarkers(name) {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new RangeError(`Section name must be kebab-case, got ${JSON.stringify(name)}`);
  return { start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` };
}

/**
 * Returns `doc` with the body of section `name` replaced by `body`. A section that does not exist
 * yet is appended at the end. Fails (rather than guessing) when the markers are unbalanced.
 * @param {string} doc
 * @param {string} name
 * @param {string} body
 * @returns {string}
 */
export function replaceSection(doc, name, body) {
  const { start, end } = sectionMarkers(name);
  const block = `${start}\n${body.trim()}\n${end}`;
  const s = doc.indexOf(start);
  const e = doc.indexOf(end);
  if (s < 0 && e < 0) {
    const trimmed = doc.replace(/\s*$/, '');
    return `${trimmed}${trimmed ? '\n\n' : ''}${block}\n`;
  }
  if (s < 0 || e < 0 || e < s) throw new Error(`BENCHMARKS.md: section "${name}" has unbalanced markers`);
  if (doc.indexOf(start, s + 1) >= 0 || doc.indexOf(end, e + 1) >= 0) throw new Error(`BENCHMARKS.md: section "${name}" appears twice`);
  return doc.slice(0, s) + block + doc.slice(e + end.length);
}

/**
 * The body of section `name`, or null when absent.
 * @param {string} doc
 * @param {string} name
 * @returns {string | null}
 */
export function readSection(doc, name) {
  const { start, end } = sectionMarkers(name);
  const s = doc.indexOf(start);
  const e = doc.indexOf(end);
  if (s < 0 || e < s) return null;
  return doc.slice(s + start.length, e).trim();
}
