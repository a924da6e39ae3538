/** The webhook routes on a node:http server: body read up to a limit, handed to webhook-handler.ts. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  handleWebhookRequest,
  isWebhookUrl,
  type WebhookContext,
  type WebhookResponse,
} from './webhook-handler.ts'

/** Bodies larger than this are refused with 413 before they are read whole. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

export interface WebhookListenerOptions extends WebhookContext {
  maxBodyBytes?: number | undefined
}

/**
 * A request listener for `/sources/…`: it answers and returns true for those URLs, and returns
 * false (touching nothing) for any other, so a server can try it before its own routes.
 */
export function sourceWebhookListener(
  options: WebhookListenerOptions,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  return (request, response) => {
    const url = request.url ?? '/'
    if (!isWebhookUrl(url)) return false
    serve(request, response, url, limit, options).catch((error: unknown) => {
      options.log?.(`webhook ${url}: ${error instanceof Error ? error.message : String(error)}`)
      send(response, {
        status: 500,
        body: { error: { code: 'internal', message: 'the delivery was not applied' } },
      })
    })
    return true
  }
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  url: string,
  limit: number,
  context: WebhookContext,
): Promise<void> {
  const declared = Number(request.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    send(response, tooLarge(limit), true)
    return
  }
  const body = await readBody(request, limit)
  if (body === undefined) {
    send(response, tooLarge(limit), true)
    return
  }
  const answer = await handleWebhookRequest(
    { method: request.method ?? 'GET', url, headers: request.headers, body },
    context,
  )
  send(response, answer)
}

/**
 * The body, or undefined as soon as it grows past `limit`. The rest is not stored; the answer
 * closes the connection, which stops a sender that goes on.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let size = 0
    let over = false
    request.on('data', (part: Buffer) => {
      if (over) return
      size += part.length
      if (size > limit) {
        over = true
        parts.length = 0
        resolve(undefined)
      } else {
        parts.push(part)
      }
    })
    request.on('end', () => {
      if (!over) resolve(Buffer.concat(parts, size))
    })
    request.on('error', reject)
  })
}

function tooLarge(limit: number): WebhookResponse {
  return {
    status: 413,
    body: { error: { code: 'too_large', message: `the body is larger than ${limit} bytes` } },
  }
}

/** Writes a JSON answer; `close` ends the connection, since the rest of the body is not read. */
function send(response: ServerResponse, answer: WebhookResponse, close = false): void {
  if (response.headersSent) return
  response.writeHead(answer.status, {
    'content-type': 'application/json',
    ...(close ? { connection: 'close' } : {}),
    ...answer.headers,
  })
  response.end(JSON.stringify(answer.body))
}
