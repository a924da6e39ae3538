/** An error the sandbox answers with a SCIM Error body (RFC 7644 §3.12). */
import { MESSAGE } from '../scim/schemas.ts'
import type { ScimErrorBody, ScimType } from '../scim/resources.ts'

export class SandboxScimError extends Error {
  readonly status: number
  readonly scimType: ScimType | undefined

  constructor(status: number, detail: string, scimType?: ScimType) {
    super(detail)
    this.name = 'SandboxScimError'
    this.status = status
    this.scimType = scimType
  }

  /** The JSON body of the error response. */
  toBody(): ScimErrorBody {
    return {
      schemas: [MESSAGE.error],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    }
  }
}
