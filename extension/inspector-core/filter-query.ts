import type { LogEvent } from '../shared/log-event.ts';

/**
 * `Filter events` text with tokens: `type:session.update` (exact type; several with commas or
 * repeated tokens), `dir:in|out|local` (also `dir:sent`/`dir:received`), and `-type:x` to leave a
 * type out. Whatever is not a token is the free text (substring or `/regex/`). A whole query that
 * is exactly a known type name is an exact type match too, so typing `session.update` does not
 * list `session.updated`.
 */
export interface ParsedQuery {
  /** Exact types asked for (empty: any). */
  types: string[];
  /** Exact types left out with `-type:`. */
  notTypes: string[];
  /** Directions asked for (empty: any). */
  dirs: Array<LogEvent['direction']>;
  /** The free text left after the tokens, trimmed. */
  text: string;
  /** Tokens that could not be read (`dir:sideways`), for a message under the box. */
  invalid: string[];
}

const DIR_ALIASES: Record<string, LogEvent['direction']> = {
  in: 'in',
  received: 'in',
  recv: 'in',
  out: 'out',
  sent: 'out',
  send: 'out',
  local: 'local',
};

const TOKEN = /^(-?)(type|dir):(.*)$/i;

export function parseFilterQuery(input: string, knownTypes?: { has(type: string): boolean }): ParsedQuery {
  const q: ParsedQuery = { types: [], notTypes: [], dirs: [], text: '', invalid: [] };
  const trimmed = input.trim();
  // A regex is taken whole: its pattern may contain `type:` or spaces.
  if (/^\/.+\/[a-z]*$/s.test(trimmed)) {
    q.text = trimmed;
    return q;
  }
  if (trimmed !== '' && knownTypes?.has(trimmed)) {
    q.types.push(trimmed);
    return q;
  }
  const rest: string[] = [];
  for (const word of trimmed.split(/\s+/)) {
    if (word === '') continue;
    const m = TOKEN.exec(word);
    if (!m) {
      rest.push(word);
      continue;
    }
    const [, neg, key, value] = m;
    const values = value.split(',').filter((v) => v !== '');
    if (values.length === 0) {
      q.invalid.push(word);
      continue;
    }
    if (key.toLowerCase() === 'type') {
      (neg ? q.notTypes : q.types).push(...values);
      continue;
    }
    for (const v of values) {
      const d = DIR_ALIASES[v.toLowerCase()];
      if (d && !neg) q.dirs.push(d);
      else q.invalid.push(word);
    }
  }
  q.text = rest.join(' ');
  return q;
}

/** Types a query names explicitly (typed or `type:`): `Hide audio frames` never hides those. */
export function explicitTypes(q: ParsedQuery): ReadonlySet<string> {
  return new Set(q.types);
}

/** True when the query only has tokens and no free text. */
export function isTokenOnly(q: ParsedQuery): boolean {
  return q.text === '' && (q.types.length > 0 || q.notTypes.length > 0 || q.dirs.length > 0);
}
