import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt, timestamp, uuidPrimaryKey } from './columns.js';
import { User } from './user.entity.js';

/**
 * One refresh token in a rotation family. Rotating creates a new row in the same family and
 * marks this one `rotatedAt`/`replacedBy`; presenting a rotated token again revokes the family.
 */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: uuidPrimaryKey(),
    user: () => p.manyToOne(User).ref().deleteRule('cascade'),
    familyId: p.uuid().index('sessions_family_id_index'),
    /** sha256 of the opaque refresh token, hex. The raw token is never stored. */
    tokenHash: p.string().length(64).unique('sessions_token_hash_unique'),
    /** Absolute end of the family: rotation never extends it. */
    expiresAt: timestamp(),
    rotatedAt: timestamp().nullable(),
    replacedBy: p.uuid().nullable(),
    revokedAt: timestamp().nullable(),
    revokedReason: p.string().length(32).nullable(),
    userAgent: p.string().length(512).nullable(),
    ip: p.string().length(64).nullable(),
    createdAt: createdAt(),
    lastUsedAt: timestamp().nullable(),
  },
  indexes: [{ name: 'sessions_user_id_created_at_index', properties: ['user', 'createdAt'] }],
});

export type ISession = InferEntity<typeof Session>;
