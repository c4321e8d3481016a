export * from './comment.entity.js';
export * from './email-token.entity.js';
export * from './mail-delivery.entity.js';
export * from './outbox-event.entity.js';
export * from './post.entity.js';
export * from './post-like.entity.js';
export * from './post-tag.entity.js';
export * from './session.entity.js';
export * from './tag.entity.js';
export * from './user.entity.js';

import { Comment } from './comment.entity.js';
import { EmailToken } from './email-token.entity.js';
import { MailDelivery } from './mail-delivery.entity.js';
import { OutboxEvent } from './outbox-event.entity.js';
import { Post } from './post.entity.js';
import { PostLike } from './post-like.entity.js';
import { PostTag } from './post-tag.entity.js';
import { Session } from './session.entity.js';
import { Tag } from './tag.entity.js';
import { User } from './user.entity.js';

export const entities = [User, Session, EmailToken, Tag, Post, PostTag, Comment, PostLike, OutboxEvent, MailDelivery];
