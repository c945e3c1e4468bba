import type { ErrorObject } from 'ajv';

/** Ajv's standalone validator for scenario.schema.json (generated; see scripts/build-scenario-validator.mjs). */
export declare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
export default validate;
