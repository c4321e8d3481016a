// @ts-check
// Load-balancer fallback of the scale-out script where nginx is missing: node's cluster primary
// forks CLUSTER_WORKERS copies of CLUSTER_EXEC (the api), which share one listening port; the
// primary hands connections out round-robin. SIGTERM/SIGINT stop every worker gracefully.
import cluster from 'node:cluster';

const exec = process.env.CLUSTER_EXEC;
const count = Number(process.env.CLUSTER_WORKERS ?? '2');
if (!exec || !Number.isInteger(count) || count < 1) throw new Error('CLUSTER_EXEC and CLUSTER_WORKERS are required');

cluster.schedulingPolicy = cluster.SCHED_RR;
// No --import of the primary (the lag probe would answer on the cluster's own IPC channel).
cluster.setupPrimary({ exec, execArgv: [], silent: false });
for (let i = 0; i < count; i++) cluster.fork();

let stopping = false;
const stop = () => {
  stopping = true;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
};
cluster.on('exit', (worker, code) => {
  if (!stopping) {
    process.stderr.write(`cluster worker ${worker.process.pid} exited (${code}); stopping\n`);
    stop();
  }
  if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(stopping ? 0 : 1);
});
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
