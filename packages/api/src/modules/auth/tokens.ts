import { createHash, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Config } from '../../config.js';

type AuthConfig = Config['auth'];

/** Claims an access token carries besides the registered ones. */
export interface AccessTokenSubject {
  userId: string;
  sessionId: string;
}

export interface SignedAccessToken {
  token: string;
  expiresAt: Date;
}

const ACCESS_TOKEN_TYPE = 'access';
const ALGORITHMS = ['HS256'];
/** Tolerated clock skew between api instances (seconds). */
const CLOCK_TOLERANCE_SECONDS = 5;

const keys = new Map<string, Uint8Array>();
function signingKey(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) {
    key = new TextEncoder().encode(secret);
    keys.set(secret, key);
  }
  return key;
}

export async function signAccessToken(config: AuthConfig, subject: AccessTokenSubject): Promise<SignedAccessToken> {
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAtSeconds = issuedAt + config.accessTokenTtlSeconds;
  const token = await new SignJWT({ typ: ACCESS_TOKEN_TYPE, sid: subject.sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject.userId)
    .setIssuer(config.jwtIssuer)
    .setAudience(config.jwtAudience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAtSeconds)
    .sign(signingKey(config.jwtSecret));
  return { token, expiresAt: new Date(expiresAtSeconds * 1000) };
}

const accessClaimsSchema = z.object({
  sub: z.uuid(),
  sid: z.uuid(),
  typ: z.literal(ACCESS_TOKEN_TYPE),
  iat: z.number(),
  exp: z.number(),
});

/** Why a presented access token was refused; only logged, the client always sees UNAUTHORIZED. */
export class InvalidAccessTokenError extends Error {
  constructor(readonly why: 'expired' | 'malformed' | 'invalid') {
    super(`access token ${why}`);
    this.name = 'InvalidAccessTokenError';
  }
}

/**
 * Verifies signature (HS256 only: `alg: none` and every other algorithm are refused), `iss`,
 * `aud`, `exp`, `iat` and `typ`. Throws InvalidAccessTokenError.
 */
export async function verifyAccessToken(config: AuthConfig, token: string): Promise<AccessTokenSubject> {
  try {
    const { payload } = await jwtVerify(token, signingKey(config.jwtSecret), {
      algorithms: ALGORITHMS,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      requiredClaims: ['sub', 'sid', 'typ', 'iat', 'exp'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      // A token "issued" far in the future was not issued by us.
      maxTokenAge: config.accessTokenTtlSeconds + CLOCK_TOLERANCE_SECONDS,
    });
    const claims = accessClaimsSchema.safeParse(payload);
    if (!claims.success) throw new InvalidAccessTokenError('malformed');
    if (claims.data.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) throw new InvalidAccessTokenError('invalid');
    return { userId: claims.data.sub, sessionId: claims.data.sid };
  } catch (error) {
    if (error instanceof InvalidAccessTokenError) throw error;
    if (error instanceof errors.JWTExpired) throw new InvalidAccessTokenError('expired');
    throw new InvalidAccessTokenError('invalid');
  }
}

/** An opaque secret of 256 bits from the CSPRNG (refresh and email tokens): 43 base64url chars. */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored instead of an opaque token: its sha256, hex (the tokens are high-entropy, no salt needed). */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
