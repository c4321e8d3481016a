import { fileURLToPath } from 'node:url';

const at = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/** Files the bench starts or writes, from the repository root. */
export const paths = {
  repoRoot: at('../../'),
  lagProbe: at('../runtime/lag-probe.mjs'),
  bareServer: at('../runtime/bare-server.mjs'),
  handwrittenServer: at('./handwritten/server.ts'),
  clusterPrimary: at('../runtime/cluster-primary.mjs'),
  results: at('../results/'),
  node24Bin: at('../.node24/node_modules/node/bin/node'),
  installNode24: at('../scripts/install-node24.sh'),
  work: at('../.work/'),
};
