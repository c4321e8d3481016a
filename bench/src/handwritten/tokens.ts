import { createHmac, timingSafeEqual } from 'node:crypto';
import { jwtVerify } from 'jose';
import { z } from 'zod';

/** Who an access token speaks for: the user and the session it was issued in. */
export interface Subject {
  sub: string;
  sid: string;
}

/** Seconds of clock skew tolerated, as the api tolerates. */
const TOLERANCE_S = 5;

const claims = z.object({
  sub: z.string(),
  sid: z.string(),
  typ: z.literal('access'),
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number(),
  exp: z.number(),
  nbf: z.number().optional(),
});
const headerSchema = z.object({ alg: z.literal('HS256'), typ: z.literal('JWT').optional() });
const decode = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/**
 * The hand-written service's two ways to verify the api's access tokens: jose's `jwtVerify`
 * (WebCrypto, asynchronous) and a synchronous node:crypto HMAC with the same checks — alg,
 * signature, typ, iss, aud, exp, nbf, iat, sub, sid. Both throw on a token the api would refuse.
 */
export function tokenVerifiers(options: { secret: string; issuer: string; audience: string }) {
  const secret = Buffer.from(options.secret);
  return {
    async jose(token: string): Promise<Subject> {
      const { payload } = await jwtVerify(token, secret, {
        algorithms: ['HS256'],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['sub', 'sid', 'typ', 'iat', 'exp'],
        clockTolerance: TOLERANCE_S,
      });
      return claims.parse(payload);
    },
    hmac(token: string): Subject {
      const [header, payload, signature, extra] = token.split('.');
      if (!header || !payload || !signature || extra !== undefined) throw new Error('malformed');
      const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('signature');
      headerSchema.parse(decode(header));
      const c = claims.parse(decode(payload));
      const now = Date.now() / 1000;
      const audiences = Array.isArray(c.aud) ? c.aud : [c.aud];
      if (c.iss !== options.issuer || !audiences.includes(options.audience)) throw new Error('claims');
      if (c.exp <= now - TOLERANCE_S || (c.nbf ?? 0) > now + TOLERANCE_S || c.iat > now + TOLERANCE_S) {
        throw new Error('time');
      }
      return c;
    },
  };
}
