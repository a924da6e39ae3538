/** Which URLs an integration may use: https, or plain http only where nobody else can listen in. */

/** Whether a URL's host is the local machine: 127.0.0.0/8, `localhost` or `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  // WHATWG URL parsing has already normalised `127.1`, `0x7f.0.0.1` and `[0:0::1]` for us.
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** Why a URL cannot be used as an integration endpoint, or undefined when it can. */
export function endpointUrlProblem(text: string, allowInsecure: boolean): string | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return `${JSON.stringify(text)} is not an absolute URL`
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL'
  // Credentials in a URL end up in logs and error messages; auth: keeps them redacted.
  if (url.username || url.password) return 'must not contain credentials; put them under auth'
  if (url.protocol === 'http:' && !allowInsecure && !isLoopbackHost(url.hostname)) {
    return 'must be https (plain http only for loopback addresses or with allowInsecure: true)'
  }
  return undefined
}
