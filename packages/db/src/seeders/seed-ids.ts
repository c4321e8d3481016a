import { createHash } from 'node:crypto';

const SEED_EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * A deterministic UUIDv7 for seed row `key`: the timestamp orders rows by `order`, the random
 * bits come from a hash of the key, so every run of the seeder produces the same ids.
 */
export function seedUuid(key: string, order: number): string {
  const ms = BigInt(SEED_EPOCH_MS + order * 60_000);
  const hash = createHash('sha256').update(key).digest();
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Number(ms), 0, 6);
  hash.copy(bytes, 6, 0, 10);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f); // version 7
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f); // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function seedDate(order: number): Date {
  return new Date(SEED_EPOCH_MS + order * 60_000);
}
