import * as path from 'path';

/** The repository's root. */
export const ROOT = path.join(__dirname, '..', '..');

/** The `test/` folder (fixtures, support). */
export const TEST_DIR = path.join(ROOT, 'test');
