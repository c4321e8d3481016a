/** Process state that /readyz reports: false from the first shutdown signal on. */
export interface Lifecycle {
  accepting: boolean;
}

export function createLifecycle(): Lifecycle {
  return { accepting: true };
}
