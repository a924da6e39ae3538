/**
 * Sealing of integration credentials at rest with AES-256-GCM under the configured `secretKey`.
 *
 * The key is either a random 32-byte key (64 hex characters, or 43/44 characters of base64 or
 * base64url, e.g. from `openssl rand -base64 32`) used as is, or a passphrase of at least 16
 * characters stretched with scrypt (N=2^15, r=8, p=1); surrounding whitespace is ignored and the
 * passphrase is NFC-normalized, so the same words typed on any system give the same key. The common case is a passphrase in an
 * environment variable (`secretKey: ${PROVISIO_SECRET_KEY}`), and people choose short ones: the
 * length floor and scrypt's cost make guessing it from a stolen database slow.
 *
 * The scrypt salt is fixed (SCRYPT_SALT): every process, host and restored backup must derive the
 * same key from the passphrase alone, and a per-install salt would have to live in the database
 * it protects. The price is that one precomputed dictionary serves every install, which the
 * length floor and scrypt's memory cost are there to make worthless; a random key avoids it.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'

/** Fixed, public scrypt salt (see above); changing it makes every stored credential unreadable. */
export const SCRYPT_SALT = 'provisio/secret-box/v1'
/** Passphrases shorter than this are refused. */
export const MIN_PASSPHRASE_LENGTH = 16

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const
const KEY_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16
const VERSION = 'v1'

/** Seals and opens credentials with one key. */
export interface SecretBox {
  /**
   * Encrypts `plain` to `v1:<iv>:<tag>:<ciphertext>` (base64url), with a fresh random IV each
   * time. `context` (an integration's name, say) is authenticated, not stored: opening needs the
   * same one, so a sealed value copied to another row does not open there.
   */
  seal(plain: string, context?: string): string
  /** Decrypts what `seal` produced with the same key and context. */
  open(sealed: string, context?: string): string
}

/** The secretKey is unusable, or does not open what it is asked to. Never carries the key or a secret. */
export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** A sealed value is not in the `v1:<iv>:<tag>:<ciphertext>` form: damaged or not sealed at all. */
export class SealedFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** Decodes `text` only if it is the canonical base64 or base64url spelling of exactly 32 bytes. */
function decodeKeyText(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex')
  if (text.length !== 43 && text.length !== 44) return undefined
  const base64 = /^[A-Za-z0-9+/]{43}=?$/.test(text)
  const base64url = /^[A-Za-z0-9_-]{43}=?$/.test(text)
  if (!base64 && !base64url) return undefined
  const bytes = Buffer.from(text, base64 ? 'base64' : 'base64url')
  // Round-tripping rejects text whose last character carries stray bits: that is a passphrase.
  const again = bytes.toString(base64 ? 'base64' : 'base64url').replace(/=+$/, '')
  return bytes.length === KEY_BYTES && again === text.replace(/=+$/, '') ? bytes : undefined
}

/** Turns the configured secretKey into the 32-byte AES key. */
export function deriveKey(secretKey: string): Buffer {
  // Surrounding whitespace is dropped: a key read from a file often ends with a newline.
  const text = secretKey.trim().normalize('NFC')
  const raw = decodeKeyText(text)
  if (raw !== undefined) return raw
  const length = [...text].length
  if (length < MIN_PASSPHRASE_LENGTH) {
    throw new SecretKeyError(
      `secretKey is too short (${length} characters): use a passphrase of at least ` +
        `${MIN_PASSPHRASE_LENGTH} characters, or a random key from \`openssl rand -base64 32\``,
    )
  }
  return scryptSync(text, SCRYPT_SALT, KEY_BYTES, SCRYPT)
}

function decodePart(part: string | undefined, bytes: number | undefined): Buffer {
  if (part === undefined || !/^[A-Za-z0-9_-]*$/.test(part)) throw malformed()
  const buffer = Buffer.from(part, 'base64url')
  if (bytes !== undefined && buffer.length !== bytes) throw malformed()
  return buffer
}

function malformed(): SealedFormatError {
  return new SealedFormatError(
    'stored credentials are damaged or were not sealed by Provisio (expected v1:<iv>:<tag>:<ciphertext>)',
  )
}

/** Creates a SecretBox from the configured secretKey (a passphrase runs scrypt once, ~0.1 s). */
export function createSecretBox(secretKey: string): SecretBox {
  const key = deriveKey(secretKey)
  return {
    seal(plain, context) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
      if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'))
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      const tag = cipher.getAuthTag()
      return [VERSION, iv, tag, ciphertext]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join(':')
    },
    open(sealed, context) {
      const parts = sealed.split(':')
      if (parts.length !== 4 || parts[0] !== VERSION) throw malformed()
      const iv = decodePart(parts[1], IV_BYTES)
      const tag = decodePart(parts[2], TAG_BYTES)
      const ciphertext = decodePart(parts[3], undefined)
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
      decipher.setAuthTag(tag)
      if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'))
      try {
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')
      } catch {
        // GCM cannot tell a wrong key from altered data; a changed key is by far the likelier cause.
        throw new SecretKeyError(
          'the stored credentials cannot be decrypted with this secretKey — was it changed? ' +
            '(or the stored value was altered)',
        )
      }
    },
  }
}
