import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import argon2 from 'argon2';
import type { Config } from '../../config.js';

type Argon2Cost = Config['auth']['argon2'];

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** Passwords are hashed exactly as given: no trimming, no Unicode normalization. */
export function hashPassword(cost: Argon2Cost, password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...cost });
}

/** False for a wrong password and for a hash that cannot be parsed (never throws on bad input). */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** True when the stored hash is weaker than the configured cost (or not argon2id at all). */
export function passwordNeedsRehash(cost: Argon2Cost, hash: string): boolean {
  if (!hash.startsWith('$argon2id$')) return true;
  try {
    return argon2.needsRehash(hash, cost);
  } catch {
    return true;
  }
}

const dummyHashes = new Map<string, Promise<string>>();
/**
 * A hash at the configured cost of a random secret nobody knows: verifying against it when the
 * account does not exist costs the same as a real verification (no enumeration by timing).
 */
export function dummyPasswordHash(cost: Argon2Cost): Promise<string> {
  const key = `${cost.memoryCost}:${cost.timeCost}:${cost.parallelism}`;
  let hash = dummyHashes.get(key);
  if (!hash) {
    hash = hashPassword(cost, randomBytes(32).toString('base64url'));
    dummyHashes.set(key, hash);
  }
  return hash;
}

let commonPasswords: Set<string> | undefined;
/**
 * The 10,000 most common passwords (common-passwords.txt, see README.md beside it), loaded once.
 * The list is lower-case; the check is case-insensitive so "Qwerty123456" is refused too.
 */
export function isCommonPassword(password: string): boolean {
  if (!commonPasswords) {
    const text = readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
    commonPasswords = new Set(text.split('\n').filter((line) => line.length > 0));
  }
  return commonPasswords.has(password.toLowerCase());
}
