import { describe, expect, it } from 'vitest';
import { toLiveSchema } from './gemini-tool-schema.ts';

describe('toLiveSchema', () => {
  it('keeps the Schema subset, upper-cases types and recurses into properties, items and anyOf', () => {
    const { schema, dropped } = toLiveSchema(
      {
        type: 'object',
        properties: {
          tags: { type: 'array', items: { type: 'string', maxLength: 20 }, minItems: 1 },
          n: { type: 'integer', minimum: 0, maximum: 9, description: 'count' },
          either: { anyOf: [{ type: 'string' }, { type: 'number' }] },
        },
        required: ['n'],
        propertyOrdering: ['n', 'tags'],
      },
      't',
    );
    expect(schema).toEqual({
      type: 'OBJECT',
      properties: {
        tags: { type: 'ARRAY', items: { type: 'STRING', maxLength: 20 }, minItems: 1 },
        n: { type: 'INTEGER', minimum: 0, maximum: 9, description: 'count' },
        either: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] },
      },
      required: ['n'],
      propertyOrdering: ['n', 'tags'],
    });
    expect(dropped).toEqual([]);
  });

  it('maps nullable forms, const, oneOf and exclusive bounds, and names everything it drops', () => {
    const { schema, dropped } = toLiveSchema(
      {
        $schema: 'x',
        type: 'object',
        additionalProperties: false,
        properties: {
          a: { type: ['string', 'null'] },
          b: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
          c: { const: 'fixed' },
          d: { oneOf: [{ type: 'string' }, { type: 'boolean' }] },
          e: { type: 'number', exclusiveMinimum: 0 },
          f: { enum: [1, 'x', null] },
          g: { $ref: '#/$defs/G' },
        },
      },
      'tool',
    );
    expect(schema).toEqual({
      type: 'OBJECT',
      properties: {
        a: { type: 'STRING', nullable: true },
        b: { type: 'INTEGER', nullable: true },
        c: { enum: ['fixed'] },
        d: { anyOf: [{ type: 'STRING' }, { type: 'BOOLEAN' }] },
        e: { type: 'NUMBER', minimum: 0 },
        f: { enum: ['x'], nullable: true },
        g: {},
      },
    });
    expect(dropped).toEqual([
      'tool: $schema dropped',
      'tool: additionalProperties dropped',
      'tool.d: oneOf sent as anyOf (Live has no oneOf)',
      'tool.e: exclusiveMinimum sent as minimum',
      'tool.f: non-string enum values [1] dropped (Live enums are strings)',
      'tool.g: $ref dropped',
    ]);
  });
});
