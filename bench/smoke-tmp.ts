import { ServerProcess, WorkerProcess } from './processes';
import { VARIANTS } from './variants';
import { WORKLOADS } from './workloads';
async function main() {
  const server = await ServerProcess.start();
  const only = process.argv.slice(2);
  try {
    for (const v of VARIANTS.filter(v => only.length === 0 || only.includes(v.id))) {
      const w = await WorkerProcess.start(v.id, server.baseUrl);
      for (const wl of WORKLOADS) {
        for (let i = 0; i < 3; i++) {
        const r = await w.request({ type: 'run', workload: wl.id, requests: wl.quickBatch }, 'batch');
        console.log(v.id.padEnd(24), wl.id.padEnd(14), (r.cpuMicros / r.requests / 1000).toFixed(2), 'ms cpu/req', (r.wallMs / r.requests).toFixed(1), 'ms wall/req', r.characters, JSON.stringify(r.spans), r.liveCaptureCount);
        }
      }
      await w.stop();
    }
  } finally { await server.stop(); }
}
main();
