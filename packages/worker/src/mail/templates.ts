import type { OutboxMessage } from '@inkwell/db';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * The web app's pages the mails link to (packages/web/src/router.tsx has a route for each; its
 * browser test opens every link of every template).
 */
export const MAIL_LINK_PATHS = {
  verifyEmail: '/verify-email',
  resetPassword: '/reset-password',
  forgotPassword: '/forgot-password',
  home: '/',
} as const;

function link(webUrl: string, path: string, token?: string): string {
  const url = new URL(`${webUrl}${path}`);
  if (token !== undefined) url.searchParams.set('token', token);
  return url.toString();
}

/** A thrown error for a token that was already blanked: the mail must not be rendered again. */
export class MissingTokenError extends Error {
  constructor(type: string) {
    super(`${type} payload has no token (already sent and blanked)`);
    this.name = 'MissingTokenError';
  }
}

interface Content {
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer: string;
}

function content(message: OutboxMessage, webUrl: string): Content {
  const greeting = `Hi ${message.payload.displayName},`;
  switch (message.type) {
    case 'mail.verify-email': {
      if (!message.payload.token) throw new MissingTokenError(message.type);
      return {
        subject: 'Confirm your email address',
        greeting,
        paragraphs: ['Welcome to Inkwell. Please confirm that this is your email address.'],
        action: {
          label: 'Confirm email address',
          url: link(webUrl, MAIL_LINK_PATHS.verifyEmail, message.payload.token),
        },
        footer: 'The link expires soon and works once. If you did not sign up, ignore this mail.',
      };
    }
    case 'mail.password-reset': {
      if (!message.payload.token) throw new MissingTokenError(message.type);
      return {
        subject: 'Reset your password',
        greeting,
        paragraphs: ['Someone (hopefully you) asked to reset the password of your Inkwell account.'],
        action: {
          label: 'Choose a new password',
          url: link(webUrl, MAIL_LINK_PATHS.resetPassword, message.payload.token),
        },
        footer: 'The link expires soon and works once. If you did not ask for it, ignore this mail.',
      };
    }
    case 'mail.password-changed':
      return {
        subject: 'Your password was changed',
        greeting,
        paragraphs: ['The password of your Inkwell account was just changed, and your other sessions were signed out.'],
        action: { label: 'Not you? Reset your password', url: link(webUrl, MAIL_LINK_PATHS.forgotPassword) },
        footer: 'If this was not you, reset your password right away and contact us.',
      };
    case 'mail.welcome':
      return {
        subject: 'Welcome to Inkwell',
        greeting,
        paragraphs: ['Your email address is confirmed: you can now write posts, comment and like.'],
        action: { label: 'Open Inkwell', url: link(webUrl, MAIL_LINK_PATHS.home) },
        footer: 'Happy writing.',
      };
  }
}

/** Renders an outbox message to a subject with plain-text and HTML bodies; links start at `webUrl`. */
export function renderMail(message: OutboxMessage, webUrl: string): RenderedMail {
  const c = content(message, webUrl);
  const text = [
    c.greeting,
    '',
    ...c.paragraphs.flatMap((paragraph) => [paragraph, '']),
    ...(c.action ? [`${c.action.label}: ${c.action.url}`, ''] : []),
    c.footer,
    '',
    '— Inkwell',
    '',
  ].join('\n');
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(c.subject)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.5; color: #222;">',
    `<p>${escapeHtml(c.greeting)}</p>`,
    ...c.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    ...(c.action
      ? [
          `<p><a href="${escapeHtml(c.action.url)}" style="background: #3b5bdb; color: #fff; padding: 8px 16px; border-radius: 4px; text-decoration: none;">${escapeHtml(c.action.label)}</a></p>`,
          `<p style="font-size: 12px; color: #666;">Or paste this address into your browser: ${escapeHtml(c.action.url)}</p>`,
        ]
      : []),
    `<p style="font-size: 12px; color: #666;">${escapeHtml(c.footer)}</p>`,
    '<p>— Inkwell</p>',
    '</body></html>',
    '',
  ].join('\n');
  return { subject: c.subject, text, html };
}
