import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt, timestamp, uuidPrimaryKey } from './columns.js';
import { User } from './user.entity.js';

export const EMAIL_TOKEN_PURPOSES = ['verify-email', 'reset-password'] as const;
export type EmailTokenPurpose = (typeof EMAIL_TOKEN_PURPOSES)[number];

/** Single-use, purpose-bound, expiring token sent by mail; only its sha256 is stored. */
export const EmailToken = defineEntity({
  name: 'EmailToken',
  tableName: 'email_tokens',
  properties: {
    id: uuidPrimaryKey(),
    user: () => p.manyToOne(User).ref().deleteRule('cascade'),
    purpose: p.enum([...EMAIL_TOKEN_PURPOSES]),
    tokenHash: p.string().length(64).unique('email_tokens_token_hash_unique'),
    expiresAt: timestamp(),
    usedAt: timestamp().nullable(),
    createdAt: createdAt(),
  },
  indexes: [{ name: 'email_tokens_user_id_purpose_index', properties: ['user', 'purpose'] }],
});

export type IEmailToken = InferEntity<typeof EmailToken>;
