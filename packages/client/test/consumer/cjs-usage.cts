// The CommonJS entry and its own declaration file (index.d.cts).
import inkwell = require('@inkwell/client');

export const client = inkwell.createInkwellClient({ url: 'http://127.0.0.1:9/trpc' });
export type CreateInput = inkwell.RouterInputs['posts']['create'];
