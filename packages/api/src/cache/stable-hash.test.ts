import { describe, expect, it } from 'vitest';
import { cacheKeys } from './keys.js';
import { canonicalJson, stableHash } from './stable-hash.js';

describe('cache keys', () => {
  it('do not depend on key order or on absent optional fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(stableHash({ limit: 20, sort: 'new', tag: undefined })).toBe(stableHash({ sort: 'new', limit: 20 }));
  });

  it('differ for different inputs, types included', () => {
    expect(stableHash({ limit: 20 })).not.toBe(stableHash({ limit: '20' }));
    expect(stableHash({ id: 'a' })).not.toBe(stableHash({ id: 'b' }));
    expect(stableHash([1, 2])).not.toBe(stableHash([2, 1]));
  });

  it('are prefixed, versioned and named after the procedure', () => {
    const keys = cacheKeys('app:');
    expect(keys.entry('posts.byId', { id: 'x' })).toMatch(/^app:cache:v\d+:posts\.byId:[\w-]{22}$/);
    expect(keys.entry('posts.list', undefined)).toBe(keys.entry('posts.list', null));
    expect(keys.tag('post:1')).toBe('app:cache:tag:post:1');
    expect(keys.epoch).toBe('app:cache:epoch');
  });
});
