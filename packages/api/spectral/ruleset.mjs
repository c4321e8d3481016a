// Spectral ruleset of the OpenAPI check (src/http/openapi-document.test.ts): Spectral's own
// OpenAPI rules plus the OWASP API Security Top 10 ruleset, both loaded from node_modules so
// the check runs offline. Overrides are listed with their reason in README.md ("REST API").
import owasp from '@stoplight/spectral-owasp-ruleset';
import { oas } from '@stoplight/spectral-rulesets';

export default {
  extends: [
    [oas, 'recommended'],
    [owasp, 'recommended'],
  ],
  rules: {},
};
