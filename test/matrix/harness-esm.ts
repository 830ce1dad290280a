/** Entry of the ESM cells: packages are loaded with `import()`, as an ES module application does. */
import { runCell } from './harness';

runCell(specifier => import(specifier) as Promise<unknown>).catch(error => {
  console.error(error);
  process.exit(1);
});
