import type { Request, Response } from 'express';
import type { Config } from '../../config.js';

/**
 * The refresh token also travels as an httpOnly, SameSite=Strict cookie (Secure in production),
 * scoped to the refresh endpoints only, so scripts in the page never see it and no other
 * request carries it.
 */
export const REFRESH_COOKIE_NAME = 'inkwell_refresh';

type AuthConfig = Config['auth'];

export function setRefreshCookie(config: AuthConfig, res: Response | null, token: string, expiresAt: Date): void {
  if (!res) return;
  for (const path of config.refreshCookiePaths) {
    res.cookie(REFRESH_COOKIE_NAME, token, {
      httpOnly: true,
      secure: config.secureCookies,
      sameSite: 'strict',
      path,
      expires: expiresAt,
    });
  }
}

export function clearRefreshCookie(config: AuthConfig, res: Response | null): void {
  if (!res) return;
  for (const path of config.refreshCookiePaths) {
    res.clearCookie(REFRESH_COOKIE_NAME, { httpOnly: true, secure: config.secureCookies, sameSite: 'strict', path });
  }
}

/** Reads the cookie from the raw header (no cookie middleware on the app: only this one cookie matters). */
export function readRefreshCookie(req: Request | null): string | null {
  const header = req?.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0 || part.slice(0, index).trim() !== REFRESH_COOKIE_NAME) continue;
    const value = part.slice(index + 1).trim();
    return /^[A-Za-z0-9_-]{43,128}$/.test(value) ? value : null;
  }
  return null;
}
