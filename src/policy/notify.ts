/**
 * The `notify` action: a JSON summary posted to a webhook URL after the actions before it, on
 * success, on failure or always ("alert managers and IT"). A failed notification is reported, it
 * never fails the run it reports on.
 */
import { request } from 'undici'

/** The JSON a notification carries. */
export interface NotificationBody {
  policy: string
  event: string
  identity: string
  workflow: number
  runId: string | null
  outcome: 'success' | 'failure'
  operations: Array<{ integration: string; kind: string; path: string; status: string; error: string | null }>
}

const TIMEOUT_MS = 10_000

/** Posts a notification; resolves to the HTTP status, or the error's message. */
export async function sendNotification(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: NotificationBody,
): Promise<{ ok: boolean; detail: string }> {
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'provisio/0.1.0', ...headers },
      body: JSON.stringify(body),
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    })
    await response.body.dump()
    const ok = response.statusCode >= 200 && response.statusCode < 300
    return { ok, detail: `HTTP ${response.statusCode}` }
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) }
  }
}
