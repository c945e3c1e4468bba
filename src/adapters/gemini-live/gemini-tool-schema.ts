/**
 * Converts a tool's JSON Schema to the Schema subset the Live API honours.
 *
 * Why not pass `parametersJsonSchema` through: users report that Live accepts a declaration given
 * only as `parametersJsonSchema` but its calls then arrive with empty arguments
 * (googleapis/python-genai#1147, livekit/agents#2940, fixed there by sending `parameters`). So every
 * schema goes as `parameters`, an OpenAPI-3.0-style `Schema` [GEN-T `Schema`: type (upper case),
 * format, title, description, nullable, enum (strings), properties, required, propertyOrdering,
 * items, minItems, maxItems, minProperties, maxProperties, minLength, maxLength, pattern, minimum,
 * maximum, default, example, anyOf]. Anything else is dropped and named, so the panel can say so.
 */

const KEPT = new Set([
  'format', 'title', 'description', 'nullable', 'required', 'propertyOrdering', 'minItems', 'maxItems',
  'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'default', 'example',
]);
const TYPES = new Set(['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL']);

export interface SchemaConversion {
  schema: Record<string, unknown>;
  /** Human-readable notes: `tool.path: keyword dropped (why)`. */
  dropped: string[];
}

export function toLiveSchema(schema: unknown, where: string): SchemaConversion {
  const dropped: string[] = [];
  const out = convert(schema, where, dropped, 0);
  return { schema: out, dropped };
}

function convert(node: unknown, path: string, dropped: string[], depth: number): Record<string, unknown> {
  if (!node || typeof node !== 'object' || Array.isArray(node)) {
    if (node !== undefined && node !== true) dropped.push(`${path}: not a schema object (ignored)`);
    return {};
  }
  if (depth > 32) {
    dropped.push(`${path}: nested deeper than 32 levels (cut)`);
    return {};
  }
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let nullable = false;

  const type = src.type;
  if (typeof type === 'string') {
    const t = type.toUpperCase();
    if (TYPES.has(t)) out.type = t;
    else dropped.push(`${path}: type "${type}" unknown (dropped)`);
  } else if (Array.isArray(type)) {
    // JSON Schema's ["string","null"]: one type plus nullable; several types become anyOf.
    const types = type.map((t) => String(t).toUpperCase()).filter((t) => TYPES.has(t));
    nullable = types.includes('NULL');
    const real = types.filter((t) => t !== 'NULL');
    if (real.length === 1) out.type = real[0];
    else if (real.length > 1) out.anyOf = real.map((t) => ({ type: t }));
  }

  for (const [k, v] of Object.entries(src)) {
    if (k === 'type') continue;
    if (KEPT.has(k)) {
      out[k] = v;
    } else if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([pk, pv]) => [pk, convert(pv, `${path}.${pk}`, dropped, depth + 1)]));
    } else if (k === 'items') {
      out.items = convert(Array.isArray(v) ? v[0] : v, `${path}[]`, dropped, depth + 1);
      if (Array.isArray(v)) dropped.push(`${path}: tuple "items" read as its first schema`);
    } else if (k === 'anyOf' || k === 'oneOf') {
      if (!Array.isArray(v)) continue;
      const alts = v.filter((a) => !(a && typeof a === 'object' && (a as { type?: unknown }).type === 'null'));
      if (alts.length < v.length) nullable = true;
      const converted = alts.map((a, i) => convert(a, `${path}.${k}[${i}]`, dropped, depth + 1));
      if (converted.length === 1 && !out.type && !out.anyOf) Object.assign(out, converted[0]);
      else if (converted.length) out.anyOf = converted;
      if (k === 'oneOf') dropped.push(`${path}: oneOf sent as anyOf (Live has no oneOf)`);
    } else if (k === 'enum' && Array.isArray(v)) {
      if (v.includes(null)) nullable = true;
      const strings = v.filter((e): e is string => typeof e === 'string');
      const others = v.filter((e) => e !== null && typeof e !== 'string');
      if (strings.length) out.enum = strings;
      if (others.length) dropped.push(`${path}: non-string enum values ${JSON.stringify(others)} dropped (Live enums are strings)`);
    } else if (k === 'const') {
      if (typeof v === 'string') out.enum = [v];
      else dropped.push(`${path}: const ${JSON.stringify(v)} dropped`);
    } else if (k === 'examples' && Array.isArray(v) && v.length) {
      out.example = v[0];
    } else if (k === 'exclusiveMinimum' && typeof v === 'number') {
      out.minimum = v;
      dropped.push(`${path}: exclusiveMinimum sent as minimum`);
    } else if (k === 'exclusiveMaximum' && typeof v === 'number') {
      out.maximum = v;
      dropped.push(`${path}: exclusiveMaximum sent as maximum`);
    } else {
      dropped.push(`${path}: ${k} dropped`);
    }
  }
  if (nullable) out.nullable = true;
  return out;
}
