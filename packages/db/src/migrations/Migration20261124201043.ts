import { Migration } from '@mikro-orm/migrations';

export class Migration20261124201043 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "outbox_events" ("id" uuid not null, "type" varchar(64) not null, "payload" jsonb not null, "request_id" varchar(128) null, "created_at" timestamptz not null, "dispatched_at" timestamptz null, "attempts" int not null default 0, "last_error" text null, constraint "outbox_events_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "outbox_events_undispatched_index" on "outbox_events" ("created_at") where "dispatched_at" is null;`,
    );

    this.addSql(
      `create table "mail_deliveries" ("event_id" uuid not null, "state" text check ("state" in ('sending', 'sent')) not null, "recipient" varchar(254) not null, "message_id" varchar(255) null, "claimed_at" timestamptz not null, "sent_at" timestamptz null, "created_at" timestamptz not null, constraint "mail_deliveries_pkey" primary key ("event_id"));`,
    );

    this.addSql(
      `create table "tags" ("id" uuid not null, "name" varchar(40) not null, "created_at" timestamptz not null, constraint "tags_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "tags" add constraint "tags_name_unique" unique ("name");`);

    this.addSql(
      `create table "users" ("id" uuid not null, "email" varchar(254) not null, "username" varchar(32) not null, "display_name" varchar(64) not null, "bio" text not null default '', "password_hash" text not null, "role" text check ("role" in ('user', 'admin')) not null default 'user', "email_verified_at" timestamptz null, "disabled_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "users_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "users_created_at_id_index" on "users" ("created_at", "id");`);
    this.addSql(`create unique index "users_email_lower_unique" on "users" (lower("email"));`);
    this.addSql(`create unique index "users_username_lower_unique" on "users" (lower("username"));`);

    this.addSql(
      `create table "sessions" ("id" uuid not null, "user_id" uuid not null, "family_id" uuid not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "rotated_at" timestamptz null, "replaced_by" uuid null, "revoked_at" timestamptz null, "revoked_reason" varchar(32) null, "user_agent" varchar(512) null, "ip" varchar(64) null, "created_at" timestamptz not null, "last_used_at" timestamptz null, constraint "sessions_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "sessions_family_id_index" on "sessions" ("family_id");`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "sessions_user_id_created_at_index" on "sessions" ("user_id", "created_at");`);

    this.addSql(
      `create table "posts" ("id" uuid not null, "author_id" uuid not null, "title" varchar(200) not null, "body" text not null, "like_count" int not null default 0, "comment_count" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "posts_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "posts_created_at_id_index" on "posts" ("created_at", "id");`);
    this.addSql(`create index "posts_like_count_created_at_id_index" on "posts" ("like_count", "created_at", "id");`);
    this.addSql(`create index "posts_author_id_created_at_id_index" on "posts" ("author_id", "created_at", "id");`);
    this.addSql(
      `create index "posts_search_index" on "posts" using gin (to_tsvector('english', "title" || ' ' || "body"));`,
    );

    this.addSql(
      `create table "post_tags" ("post_id" uuid not null, "tag_id" uuid not null, constraint "post_tags_pkey" primary key ("post_id", "tag_id"));`,
    );
    this.addSql(`create index "post_tags_tag_id_index" on "post_tags" ("tag_id");`);

    this.addSql(
      `create table "post_likes" ("user_id" uuid not null, "post_id" uuid not null, "created_at" timestamptz not null, constraint "post_likes_pkey" primary key ("user_id", "post_id"));`,
    );
    this.addSql(`create index "post_likes_user_id_created_at_index" on "post_likes" ("user_id", "created_at");`);
    this.addSql(`create index "post_likes_post_id_index" on "post_likes" ("post_id");`);

    this.addSql(
      `create table "email_tokens" ("id" uuid not null, "user_id" uuid not null, "purpose" text check ("purpose" in ('verify-email', 'reset-password')) not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, constraint "email_tokens_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "email_tokens" add constraint "email_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "email_tokens_user_id_purpose_index" on "email_tokens" ("user_id", "purpose");`);

    this.addSql(
      `create table "comments" ("id" uuid not null, "post_id" uuid not null, "author_id" uuid not null, "parent_id" uuid null, "body" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "comments_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "comments_post_id_created_at_id_index" on "comments" ("post_id", "created_at", "id");`);
    this.addSql(
      `create index "comments_parent_id_created_at_id_index" on "comments" ("parent_id", "created_at", "id");`,
    );
    this.addSql(`create index "comments_author_id_index" on "comments" ("author_id");`);

    this.addSql(
      `alter table "mail_deliveries" add constraint "mail_deliveries_event_id_foreign" foreign key ("event_id") references "outbox_events" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "posts" add constraint "posts_author_id_foreign" foreign key ("author_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "post_tags" add constraint "post_tags_post_id_foreign" foreign key ("post_id") references "posts" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "post_tags" add constraint "post_tags_tag_id_foreign" foreign key ("tag_id") references "tags" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "post_likes" add constraint "post_likes_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "post_likes" add constraint "post_likes_post_id_foreign" foreign key ("post_id") references "posts" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "email_tokens" add constraint "email_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "comments" add constraint "comments_post_id_foreign" foreign key ("post_id") references "posts" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "comments" add constraint "comments_author_id_foreign" foreign key ("author_id") references "users" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "comments" add constraint "comments_parent_id_foreign" foreign key ("parent_id") references "comments" ("id") on update cascade on delete cascade;`,
    );
    // Wakes the worker's outbox relay (LISTEN outbox_events) when events commit; statement-level
    // so a batch insert sends one notification. Delivered only on commit, never for a rollback.
    this.addSql(
      `create function "outbox_events_notify"() returns trigger language plpgsql as $$ begin perform pg_notify('outbox_events', ''); return null; end $$;`,
    );
    this.addSql(
      `create trigger "outbox_events_notify" after insert on "outbox_events" for each statement execute function "outbox_events_notify"();`,
    );
  }
}
