import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { EncryptedSecret } from '../../domain/accounts/model';
import type { Keyring } from '../../domain/ports';
import { type CallBudget, deadline } from '../aws/call-budget';

/** Where data keys come from: KMS in AWS, a local master key in the local runtime. */
export interface DataKeys {
  generate(context: Record<string, string>): Promise<{ plaintext: Buffer; encrypted: string }>;
  decrypt(encrypted: string, context: Record<string, string>): Promise<Buffer>;
}

function aesGcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ct, tag: cipher.getAuthTag() };
}

function aesGcmOpen(key: Buffer, sealed: { iv: Buffer; ct: Buffer; tag: Buffer }, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ct), decipher.final()]);
}

/** The context, canonical, as additional authenticated data: a secret opens only for its account and purpose. */
const aadOf = (context: Record<string, string>) =>
  Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))));

/** Envelope encryption: a fresh data key per secret, AES-256-GCM, the data key kept only encrypted. */
export function makeKeyring(dataKeys: DataKeys): Keyring {
  return {
    async seal(plaintext, context) {
      const key = await dataKeys.generate(context);
      try {
        const sealed = aesGcmSeal(key.plaintext, Buffer.from(plaintext, 'utf8'), aadOf(context));
        return {
          v: 1,
          edk: key.encrypted,
          iv: sealed.iv.toString('base64'),
          tag: sealed.tag.toString('base64'),
          ct: sealed.ct.toString('base64'),
        };
      } finally {
        key.plaintext.fill(0);
      }
    },
    async open(secret: EncryptedSecret, context) {
      const key = await dataKeys.decrypt(secret.edk, context);
      try {
        return aesGcmOpen(
          key,
          {
            iv: Buffer.from(secret.iv, 'base64'),
            tag: Buffer.from(secret.tag, 'base64'),
            ct: Buffer.from(secret.ct, 'base64'),
          },
          aadOf(context),
        ).toString('utf8');
      } finally {
        key.fill(0);
      }
    },
  };
}

export interface KmsDataKeysConfig {
  keyId: string;
  /** The whole call's deadline; the client holds the attempt count and per-attempt timeouts. */
  budget: CallBudget;
}

/** KMS GenerateDataKey / Decrypt bound to the encryption context, through the official client. */
export function kmsDataKeys(client: KMSClient, config: KmsDataKeysConfig): DataKeys {
  const { budget } = config;
  return {
    async generate(context) {
      const out = await client.send(
        new GenerateDataKeyCommand({ KeyId: config.keyId, KeySpec: 'AES_256', EncryptionContext: context }),
        deadline(budget),
      );
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
      return {
        plaintext: Buffer.from(out.Plaintext),
        encrypted: Buffer.from(out.CiphertextBlob).toString('base64'),
      };
    },
    async decrypt(encrypted, context) {
      const out = await client.send(
        new DecryptCommand({
          KeyId: config.keyId,
          CiphertextBlob: Buffer.from(encrypted, 'base64'),
          EncryptionContext: context,
        }),
        deadline(budget),
      );
      if (!out.Plaintext) throw new Error('KMS returned no plaintext');
      return Buffer.from(out.Plaintext);
    },
  };
}

/** The local runtime's stand-in for KMS: data keys wrapped under a local 256-bit master key. */
export function localDataKeys(masterKey: Buffer): DataKeys {
  return {
    async generate(context) {
      const plaintext = randomBytes(32);
      const sealed = aesGcmSeal(masterKey, plaintext, aadOf(context));
      return { plaintext, encrypted: Buffer.concat([sealed.iv, sealed.tag, sealed.ct]).toString('base64') };
    },
    async decrypt(encrypted, context) {
      const raw = Buffer.from(encrypted, 'base64');
      return aesGcmOpen(
        masterKey,
        { iv: raw.subarray(0, 12), tag: raw.subarray(12, 28), ct: raw.subarray(28) },
        aadOf(context),
      );
    },
  };
}
