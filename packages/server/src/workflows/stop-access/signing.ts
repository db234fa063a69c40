import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

// One Ed25519 key pair signs what access providers and terminal makers act on (feed pages,
// verdicts), so they can check an answer came from the platform whatever proxy or cache served it.
// The pair is made once and kept in the database (every server node signs with the same key; a
// backup of the database carries it). The signature is over the exact bytes of the response body.

export const KEY_NAME = 'stop-access';
export const SIGNATURE_HEADER = 'signature';
export const KEY_ID_HEADER = 'signature-key-id';

export interface SigningKey {
  keyId: string;
  publicPem: string;
  /** The 32-byte raw public key, base64. */
  publicRaw: string;
  privateKey: KeyObject;
  createdAt: number;
}

const cache = new WeakMap<object, Promise<SigningKey>>();

function rawPublic(publicPem: string): Buffer {
  const jwk = createPublicKey(publicPem).export({ format: 'jwk' }) as { x: string };
  return Buffer.from(jwk.x, 'base64url');
}

/** The key id: the first 16 hex digits of the SHA-256 of the raw public key. */
export function keyIdOf(publicRaw: Buffer): string {
  return createHash('sha256').update(publicRaw).digest('hex').slice(0, 16);
}

/** The platform's key pair, made on first use; concurrent first uses (two nodes) keep one. */
export function signingKey(db: Kysely<Database>, now: number): Promise<SigningKey> {
  let pending = cache.get(db);
  if (!pending) {
    pending = loadOrCreate(db, now);
    cache.set(db, pending);
    pending.catch(() => cache.delete(db));
  }
  return pending;
}

async function loadOrCreate(db: Kysely<Database>, now: number): Promise<SigningKey> {
  let row = await db.selectFrom('signing_keys').selectAll().where('name', '=', KEY_NAME).executeTakeFirst();
  if (!row) {
    const pair = generateKeyPairSync('ed25519');
    const publicPem = pair.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const privatePem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    await db
      .insertInto('signing_keys')
      .values({ name: KEY_NAME, key_id: keyIdOf(rawPublic(publicPem)), public_pem: publicPem, private_pem: privatePem, created_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    row = await db.selectFrom('signing_keys').selectAll().where('name', '=', KEY_NAME).executeTakeFirstOrThrow();
  }
  return {
    keyId: row.key_id,
    publicPem: row.public_pem,
    publicRaw: rawPublic(row.public_pem).toString('base64'),
    privateKey: createPrivateKey(row.private_pem),
    createdAt: row.created_at,
  };
}

/** The Signature header's value for `body`: "ed25519=<base64 of the 64-byte signature>". */
export function signBody(key: SigningKey, body: Buffer): string {
  return `ed25519=${sign(null, body, key.privateKey).toString('base64')}`;
}

/** Checks a Signature header against `body` with a PEM public key (what a provider does). */
export function verifyBody(publicPem: string, body: Buffer, header: string): boolean {
  const match = /^ed25519=([A-Za-z0-9+/]{86}==)$/.exec(header.trim());
  if (!match) return false;
  return verify(null, body, createPublicKey(publicPem), Buffer.from(match[1]!, 'base64'));
}

/** A strong ETag for exact bytes. */
