// Spectral ruleset of the OpenAPI check (src/http/openapi-document.test.ts): Spectral's own
// OpenAPI rules plus the OWASP API Security Top 10 (2023) ruleset, both imported from
// node_modules so the check runs offline. Each change to OWASP's severities is explained in
// README.md ("REST API and docs").
import owasp from '@stoplight/spectral-owasp-ruleset';
import { oas } from '@stoplight/spectral-rulesets';

// OWASP API4 bounds (maxLength, maxItems, integer minimum/maximum/format) guard against what a
// client can send. They stay errors on request bodies and parameters; on responses, whose
// values were bounded when they were written, they are warnings.
const boundRules = {
  'owasp:api4:2023-string-limit': 'string',
  'owasp:api4:2023-array-limit': 'array',
  'owasp:api4:2023-integer-limit': 'integer',
  'owasp:api4:2023-integer-format': 'integer',
};
const requestRoots = ['$.paths[*][*].requestBody', '$.paths[*][*].parameters'];
const responseRoots = ['$.paths[*][*].responses'];
const ofType = (type) =>
  `[?(@ && (@.type=="${type}" || (@.type && @.type.constructor.name === "Array" && @.type.includes("${type}"))))]`;

const scopedBoundRules = {};
for (const [name, type] of Object.entries(boundRules)) {
  const rule = owasp.rules[name];
  const scoped = (roots, severity) => ({ ...rule, given: roots.map((root) => `${root}..${ofType(type)}`), severity });
  scopedBoundRules[name] = 'off';
  scopedBoundRules[`${name}:request`] = scoped(requestRoots, 'error');
  scopedBoundRules[`${name}:response`] = scoped(responseRoots, 'warn');
}

export default {
  extends: [
    [oas, 'recommended'],
    [owasp, 'recommended'],
  ],
  rules: {
    ...scopedBoundRules,
    // Rate limits are per procedure (auth sign-in, registration, mails) and answer 429 in the
    // error shape; no RateLimit headers are sent on every response, so none are declared.
    'owasp:api4:2023-rate-limit': 'warn',
  },
};
