/** Credential sealing: round trip, fresh IVs, tamper detection, and errors that leak nothing. */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  createSecretBox,
  deriveKey,
  MIN_PASSPHRASE_LENGTH,
  SealedFormatError,
  SecretKeyError,
} from '../../src/store/secret-box.ts'

const PASSPHRASE = 'correct horse battery staple'
const TOKEN = 'scim-bearer-token-0123456789'
const box = createSecretBox(PASSPHRASE)

function thrown(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a throw')
}

describe('createSecretBox', () => {
  it('opens what it sealed, including empty and non-ASCII text', () => {
    for (const plain of [TOKEN, '', 'pässwörd ✓ 🔑', JSON.stringify({ clientSecret: 'x'.repeat(5000) })]) {
      expect(box.open(box.seal(plain))).toBe(plain)
    }
  })

  it('seals as v1:<iv>:<tag>:<ciphertext> with a fresh 12-byte IV each time', () => {
    const sealed = Array.from({ length: 50 }, () => box.seal(TOKEN))
    expect(new Set(sealed).size).toBe(50)
    const ivs = sealed.map((s) => s.split(':')[1])
    expect(new Set(ivs).size).toBe(50)
    for (const s of sealed) {
      const [version, iv, tag, ciphertext] = s.split(':')
      expect(version).toBe('v1')
      expect(Buffer.from(iv ?? '', 'base64url')).toHaveLength(12)
      expect(Buffer.from(tag ?? '', 'base64url')).toHaveLength(16)
      expect(ciphertext).toMatch(/^[A-Za-z0-9_-]+$/)
      expect(s).not.toContain(TOKEN)
    }
  })

  it('detects a change to any part of the sealed value', () => {
    const sealed = box.seal(TOKEN)
    const parts = sealed.split(':')
    for (const index of [1, 2, 3]) {
      const bytes = Buffer.from(parts[index] ?? '', 'base64url')
      bytes[0] = (bytes[0] ?? 0) ^ 1
      const tampered = parts.map((p, i) => (i === index ? bytes.toString('base64url') : p)).join(':')
      expect(() => box.open(tampered)).toThrow(SecretKeyError)
    }
  })

  it('binds an optional context: a value sealed for one integration does not open for another', () => {
    const sealed = box.seal(TOKEN, 'jira')
    expect(box.open(sealed, 'jira')).toBe(TOKEN)
    expect(() => box.open(sealed, 'egnyte')).toThrow(SecretKeyError)
    expect(() => box.open(sealed)).toThrow(SecretKeyError)
  })

  it('says the key was probably changed, without the key, the passphrase or the secret', () => {
    const sealed = box.seal(TOKEN)
    const other = 'a different passphrase entirely'
    const error = thrown(() => createSecretBox(other).open(sealed))
    expect(error).toBeInstanceOf(SecretKeyError)
    expect(error.message).toContain('cannot be decrypted with this secretKey — was it changed?')
    for (const secret of [TOKEN, PASSPHRASE, other, deriveKey(other).toString('hex')]) {
      expect(error.message).not.toContain(secret)
      expect(String(error.stack)).not.toContain(secret)
    }
  })

  it('refuses values that are not sealed envelopes', () => {
    for (const bad of [
      'plain-token',
      'v2:a:b:c',
      'v1:a:b',
      'v1:!!:AAAA:AAAA',
      `v1:${'A'.repeat(16)}:short:AA`,
    ]) {
      expect(() => box.open(bad), bad).toThrow(SealedFormatError)
    }
  })
})

describe('secretKey forms', () => {
  const key = randomBytes(32)

  it('uses a 32-byte key given as hex, base64 or base64url as it is', () => {
    for (const text of [key.toString('hex'), key.toString('base64'), key.toString('base64url')]) {
      expect(deriveKey(text).equals(key), text).toBe(true)
    }
    const sealed = createSecretBox(key.toString('hex')).seal(TOKEN)
    expect(createSecretBox(key.toString('base64')).open(sealed)).toBe(TOKEN)
  })

  it('stretches a passphrase with scrypt, deterministically and ignoring surrounding whitespace', () => {
    const derived = deriveKey(PASSPHRASE)
    expect(derived).toHaveLength(32)
    expect(deriveKey(`${PASSPHRASE}\n`).equals(derived)).toBe(true)
    expect(deriveKey(`${PASSPHRASE}!`).equals(derived)).toBe(false)
  })

  it(`refuses a passphrase shorter than ${MIN_PASSPHRASE_LENGTH} characters without echoing it`, () => {
    const error = thrown(() => createSecretBox('hunter2hunter2'))
    expect(error).toBeInstanceOf(SecretKeyError)
    expect(error.message).toMatch(/at least 16 characters/)
    expect(error.message).not.toContain('hunter2')
    expect(() => createSecretBox('x'.repeat(16))).not.toThrow()
  })
})
