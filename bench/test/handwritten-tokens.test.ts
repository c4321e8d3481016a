import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../packages/api/src/config.js';
import { signAccessToken } from '../../packages/api/src/modules/auth/tokens.js';
import { tokenVerifiers } from '../src/handwritten/tokens.js';

/**
 * The hand-written baseline's HMAC verifier must refuse exactly what jose refuses, or scenario 1
 * would compare Inkwell with a service that skips checks. Tokens come from the api's own signer.
 */
const secret = 'a-test-secret-of-at-least-32-characters!';
const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused',
  REDIS_URL: 'redis://127.0.0.1:6379',
  PUBLIC_URL: 'http://127.0.0.1:5173',
  JWT_SECRET: secret,
}).auth;
const verify = tokenVerifiers({ secret, issuer: config.jwtIssuer, audience: config.jwtAudience });

async function outcomes(token: string) {
  const jose = await verify.jose(token).then(
    (subject) => subject,
    () => 'refused',
  );
  let hmac: unknown;
  try {
    hmac = verify.hmac(token);
  } catch {
    hmac = 'refused';
  }
  return { jose, hmac };
}

const now = () => Math.floor(Date.now() / 1000);

/** A token with the api's claims, `overrides` applied (undefined removes a claim). */
function forged(overrides: Record<string, unknown>, key = secret) {
  const claims: Record<string, unknown> = {
    typ: 'access',
    sid: randomUUID(),
    sub: randomUUID(),
    iss: config.jwtIssuer,
    aud: config.jwtAudience,
    iat: now(),
    exp: now() + 600,
    ...overrides,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(key));
}

describe('hand-written token verifiers', () => {
  it('accept an access token the api signed, with the same subject', async () => {
    const userId = randomUUID();
    const sessionId = randomUUID();
    const { token } = await signAccessToken(config, { userId, sessionId });
    const { jose, hmac } = await outcomes(token);
    expect(jose).toMatchObject({ sub: userId, sid: sessionId });
    expect(hmac).toMatchObject({ sub: userId, sid: sessionId });
  });

  it('both refuse a tampered payload, another key, alg none, another issuer or audience, a refresh typ', async () => {
    const { token } = await signAccessToken(config, { userId: randomUUID(), sessionId: randomUUID() });
    const [header, , signature] = token.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ sub: randomUUID(), sid: randomUUID(), typ: 'access' })).toString(
      'base64url',
    );
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${token.split('.')[1]}.`;
    const refused = [
      `${header}.${otherPayload}.${signature}`,
      await forged({}, 'another-secret-of-at-least-32-characters'),
      none,
      await forged({ iss: 'someone-else' }),
      await forged({ aud: 'another-api' }),
      await forged({ typ: 'refresh' }),
      `${token}.extra`,
    ];
    for (const candidate of refused) {
      expect(await outcomes(candidate), candidate).toEqual({ jose: 'refused', hmac: 'refused' });
    }
  });

  it('both refuse an expired token, one not valid yet, one without sid', async () => {
    const expired = await forged({ iat: now() - 1200, exp: now() - 600 });
    const notYet = await forged({ nbf: now() + 600 });
    const noSession = await forged({ sid: undefined });
    for (const candidate of [expired, notYet, noSession]) {
      expect(await outcomes(candidate)).toEqual({ jose: 'refused', hmac: 'refused' });
    }
  });
});
