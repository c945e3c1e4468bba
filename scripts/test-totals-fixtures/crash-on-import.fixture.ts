import { it } from 'vitest';

it('is declared before the module throws', () => undefined);
// A module that fails while loading: vitest reports the file as failed with zero tests.
throw new Error('fixture: crashed on import');
