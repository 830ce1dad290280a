/**
 * Builds the package: CommonJS into dist/cjs and ES modules into dist/esm, each with its own
 * declarations and a package.json that states its module type, so Node and TypeScript read
 * every file of a folder in the right format.
 *
 * tsc writes ESM with extensionless relative specifiers and keeps `import x from '../schemas/x.json'`;
 * Node's ESM loader accepts neither. So the ESM output is finished here: every relative specifier
 * gets the file it resolves to (`./processor` → `./processor.js`), and each imported schema becomes
 * a JS module whose default export is that JSON. schemas/ stays the only source of the schemas.
 * And `createRequire(__filename)` becomes `createRequire(import.meta.url)` (ESM has no `__filename`).
 *
 * Usage: `npm run build` (`node --import tsx scripts/build.ts`).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const TSC = require.resolve('typescript/bin/tsc');

/** `from '…'`, `import '…'`, `import('…')` and `export … from '…'` with a relative specifier. */
const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]*)\2/g;

/**
 * `createRequire(__filename)`: a synchronous `require` from the file's own place (optional peers,
 * loaded only where needed). ES modules have no `__filename`; `import.meta.url` is the same place.
 */
const REQUIRE_FROM_HERE = /\bcreateRequire\(__filename\)/g;

async function main(): Promise<void> {
  fs.rmSync(DIST, { recursive: true, force: true });
  // Two independent tsc programs: run them side by side.
  await Promise.all([compile('tsconfig.build.cjs.json', 'commonjs'), compile('tsconfig.build.esm.json', 'module')]);
  finishEsm(path.join(DIST, 'esm'));
}

async function compile(project: string, type: 'commonjs' | 'module'): Promise<void> {
  const code = await new Promise<number | null>(resolve => {
    spawn(process.execPath, [TSC, '-p', path.join(ROOT, project)], { stdio: 'inherit', cwd: ROOT }).on('close', resolve);
  });
  if (code !== 0) throw new Error(`tsc -p ${project} failed`);
  const outDir = path.join(DIST, type === 'module' ? 'esm' : 'cjs');
  fs.writeFileSync(path.join(outDir, 'package.json'), JSON.stringify({ type }) + '\n');
}

function finishEsm(outDir: string): void {
  const jsonModules = new Set<string>();
  for (const file of filesUnder(outDir)) {
    if (!file.endsWith('.js') && !file.endsWith('.d.ts')) continue;
    const source = fs.readFileSync(file, 'utf8');
    const rewritten = source
      .replace(RELATIVE_SPECIFIER, (_match, lead: string, quote: string, specifier: string) => {
        const resolved = resolveSpecifier(file, specifier, jsonModules);
        return `${lead}${quote}${resolved}${quote}`;
      })
      .replace(REQUIRE_FROM_HERE, 'createRequire(import.meta.url)');
    if (rewritten !== source) fs.writeFileSync(file, rewritten);
  }
  for (const jsonFile of jsonModules) {
    const json = fs.readFileSync(jsonFile, 'utf8');
    fs.writeFileSync(jsonFile.replace(/\.json$/, '.js'), `export default ${json.trim()};\n`);
  }
  // Schemas now live in their JS modules; a stray .json copy would only bloat the tarball.
  for (const file of filesUnder(outDir)) if (file.endsWith('.json') && path.basename(file) !== 'package.json') fs.rmSync(file);
}

/** The specifier Node's ESM loader needs for what `specifier` resolved to under tsc's rules. */
function resolveSpecifier(fromFile: string, specifier: string, jsonModules: Set<string>): string {
  const target = path.resolve(path.dirname(fromFile), specifier);
  const declarations = fromFile.endsWith('.d.ts');
  if (specifier.endsWith('.json')) {
    if (!fs.existsSync(target)) throw new Error(`${fromFile}: ${specifier} was not emitted`);
    jsonModules.add(target);
    return specifier.replace(/\.json$/, '.js');
  }
  const asFile = declarations ? `${target}.d.ts` : `${target}.js`;
  if (fs.existsSync(asFile)) return `${specifier}.js`;
  const asIndex = path.join(target, declarations ? 'index.d.ts' : 'index.js');
  if (fs.existsSync(asIndex)) return `${specifier}/index.js`;
  if (fs.existsSync(target) && fs.statSync(target).isFile()) return specifier;
  throw new Error(`${fromFile}: cannot resolve ${specifier}`);
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => path.join(entry.parentPath, entry.name));
}

main().catch(error => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
