/**
 * The README's install lines and the programs that run after them, read from README.md itself so
 * that what is tested is what users copy. In the README, a `<!-- quick-start NAME: node 20, 22 -->`
 * comment stands before a ```bash block holding one `npm install` line, and a
 * `<!-- runs-after NAME -->` comment before each ```js block meant to run after that install.
 */

/** One install line of the README, with the Node versions it promises and the programs to run after it. */
export interface QuickStart {
  name: string;
  nodes: string[];
  install: string;
  programs: string[];
}

const INSTALL = /<!-- quick-start ([\w-]+): node ([\d., ]+) -->\s*```bash\n([^\n]+)\n```/g;
const PROGRAM = /<!-- runs-after ([\w-]+) -->\s*```js\n([\s\S]*?)```/g;

/** Every quick start of the README; throws when a marker is malformed or a program has no install. */
export function quickStartsOf(readme: string): QuickStart[] {
  const starts = new Map<string, QuickStart>();
  for (const [, name, nodes, install] of readme.matchAll(INSTALL)) {
    if (!install.startsWith('npm install ')) throw new Error(`quick start ${name}: the install block must be one npm install line`);
    starts.set(name, { name, nodes: nodes.split(',').map(node => node.trim()).filter(Boolean), install, programs: [] });
  }
  for (const [, name, program] of readme.matchAll(PROGRAM)) {
    const start = starts.get(name);
    if (start === undefined) throw new Error(`a program runs after quick start ${name}, which the README does not have`);
    start.programs.push(program);
  }
  return [...starts.values()];
}

/** The program of `quickStartsOf(readme)` with this name, at this position. */
export function programOf(readme: string, name: string, index: number): string {
  const program = quickStartsOf(readme).find(start => start.name === name)?.programs[index];
  if (program === undefined) throw new Error(`README has no program ${index} after quick start ${name}`);
  return program;
}
