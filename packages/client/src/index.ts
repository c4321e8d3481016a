/** Types of the whole API for TypeScript consumers (the runtime client arrives with the SDK issue). */
export type { AppRouter, ErrorBody, FieldIssue, RouterInputs, RouterOutputs } from '@inkwell/api';
