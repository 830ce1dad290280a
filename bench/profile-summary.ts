/**
 * Summarises a .cpuprofile (from `node --cpu-prof`): the functions with the most self time, and
 * the most inclusive time, among the samples under a given function (default: all samples).
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [function name] [rows]
 */
import * as fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function main(): void {
  const [file, root, rowsText = '25'] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [function name] [rows]');
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map(node => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const label = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || '(anonymous)'} ${url.split('/').pop() ?? ''}:${lineNumber + 1}`;
  };
  const selfTime = new Map<string, number>();
  const inclusiveTime = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const chain: ProfileNode[] = [];
    for (let node = byId.get(id); node !== undefined; node = byId.get(parentOf.get(node.id) ?? -1)) chain.push(node);
    // The outermost frame of that name, so that recursion counts once.
    let rootIndex = root === undefined ? chain.length - 1 : -1;
    for (let k = chain.length - 1; k >= 0 && rootIndex === -1; k--) if (chain[k].callFrame.functionName === root) rootIndex = k;
    if (rootIndex === -1 || chain[0].callFrame.functionName === '(idle)') return;
    const micros = profile.timeDeltas[i] ?? 0;
    total += micros;
    selfTime.set(label(chain[0]), (selfTime.get(label(chain[0])) ?? 0) + micros);
    for (const name of new Set(chain.slice(0, rootIndex + 1).map(label))) inclusiveTime.set(name, (inclusiveTime.get(name) ?? 0) + micros);
  });
  const rows = Number(rowsText);
  const print = (title: string, times: Map<string, number>) => {
    console.log(title);
    for (const [name, micros] of [...times].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
      console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(1).padStart(9)} ms  ${name}`);
    }
  };
  console.log(`${(total / 1000).toFixed(1)} ms of samples${root === undefined ? '' : ` under ${root}`}`);
  print('-- self time', selfTime);
  print('-- inclusive time', inclusiveTime);
}

main();
