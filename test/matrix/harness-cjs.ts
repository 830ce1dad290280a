/** Entry of the CommonJS cells: packages are loaded with `require`, as a CommonJS application does. */
import { runCell } from './harness';

runCell(specifier => Promise.resolve(require(specifier) as unknown)).catch(error => {
  console.error(error);
  process.exit(1);
});
