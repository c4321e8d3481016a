import { fileURLToPath } from 'node:url';

const at = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/** Files the bench starts or writes, from the repository root. */
export const paths = {
  repoRoot: at('../../'),
  apiEntry: at('../../packages/api/dist/main.js'),
  workerEntry: at('../../packages/worker/dist/main.js'),
  lagProbe: at('../runtime/lag-probe.mjs'),
  bareServer: at('../runtime/bare-server.mjs'),
  clusterPrimary: at('../runtime/cluster-primary.mjs'),
  results: at('../results/'),
  node24Bin: at('../.node24/node_modules/node/bin/node'),
  work: at('../.work/'),
};
