/** Reading SCIM request bodies and writing SCIM responses on plain `node:http`. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ScimProtocolError, ScimSyntaxError } from '../scim/errors.ts'
import { SCIM_MEDIA_TYPE } from '../scim/schemas.ts'

/** A response before it is written: status, JSON body, extra headers. */
export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** Any error as a SCIM error: syntax errors of filters and paths are 400s, anything else a 500. */
export function asSandboxError(error: unknown): ScimProtocolError {
  if (error instanceof ScimProtocolError) return error
  if (error instanceof ScimSyntaxError) return new ScimProtocolError(400, error.message, error.scimType)
  return new ScimProtocolError(
    500,
    `Internal sandbox error: ${error instanceof Error ? error.message : String(error)}`,
  )
}

/** The reply for a SCIM error. */
export function errorReply(error: ScimProtocolError, headers?: Record<string, string>): Reply {
  return { status: error.status, body: error.toBody(), ...(headers ? { headers } : {}) }
}

/** Writes a reply as `application/scim+json`. */
export function sendReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | number> = { ...reply.headers }
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers)
    res.end()
    return
  }
  const text = JSON.stringify(reply.body)
  headers['Content-Type'] = SCIM_MEDIA_TYPE
  headers['Content-Length'] = Buffer.byteLength(text)
  res.writeHead(reply.status, headers)
  res.end(text)
}

/** Reads the whole body, refusing with 413 past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number, tooLarge: string): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new ScimProtocolError(413, tooLarge))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > limit) {
        failed = true
        reject(new ScimProtocolError(413, tooLarge))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
    })
    req.on('error', (error) => {
      if (!failed) reject(error)
      failed = true
    })
  })
}

/** True for `application/scim+json` and `application/json`, parameters such as charset allowed. */
function isJsonMediaType(contentType: string): boolean {
  const semicolon = contentType.indexOf(';')
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
  return type === SCIM_MEDIA_TYPE || type === 'application/json'
}

/** Parses a JSON request body; 415 for other media types, 400 invalidSyntax for bad JSON. */
export function parseJsonBody(body: Buffer, contentType: string | undefined): unknown {
  if (contentType !== undefined && contentType !== '' && !isJsonMediaType(contentType)) {
    throw new ScimProtocolError(
      415,
      `Content-Type ${contentType} is not supported; send ${SCIM_MEDIA_TYPE} or application/json`,
    )
  }
  if (body.length === 0) throw new ScimProtocolError(400, 'The request body is empty', 'invalidSyntax')
  try {
    return JSON.parse(body.toString('utf8'))
  } catch (error) {
    throw new ScimProtocolError(
      400,
      `The request body is not valid JSON: ${(error as Error).message}`,
      'invalidSyntax',
    )
  }
}
