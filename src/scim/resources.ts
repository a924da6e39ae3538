/** Wire types of SCIM 2.0 resources and messages (RFC 7643, RFC 7644). */

export interface ResourceMeta {
  resourceType?: string
  created?: string
  lastModified?: string
  location?: string
  version?: string
}

/** Any SCIM resource: known members are typed, the rest is kept as JSON. */
export interface ScimResource {
  schemas: string[]
  id?: string
  externalId?: string
  meta?: ResourceMeta
  [attribute: string]: unknown
}

export interface MultiValue {
  value?: string
  display?: string
  type?: string
  primary?: boolean
  $ref?: string
  [subAttribute: string]: unknown
}

export interface ScimName {
  formatted?: string
  familyName?: string
  givenName?: string
  middleName?: string
  honorificPrefix?: string
  honorificSuffix?: string
}

export interface ScimUser extends ScimResource {
  userName?: string
  name?: ScimName
  displayName?: string
  nickName?: string
  profileUrl?: string
  title?: string
  userType?: string
  preferredLanguage?: string
  locale?: string
  timezone?: string
  active?: boolean
  emails?: MultiValue[]
  phoneNumbers?: MultiValue[]
  ims?: MultiValue[]
  photos?: MultiValue[]
  addresses?: Array<Record<string, unknown>>
  groups?: MultiValue[]
}

export interface ScimGroup extends ScimResource {
  displayName?: string
  members?: MultiValue[]
}

export interface ListResponse<T extends ScimResource = ScimResource> {
  schemas: string[]
  totalResults: number
  startIndex?: number
  itemsPerPage?: number
  Resources?: T[]
  /** RFC 9865 cursor pagination. */
  nextCursor?: string
  previousCursor?: string
}

export type PatchOpName = 'add' | 'replace' | 'remove'

export interface PatchOperation {
  op: PatchOpName
  path?: string
  value?: unknown
}

export interface PatchRequest {
  schemas: string[]
  Operations: PatchOperation[]
}

/** The `scimType` values of RFC 7644 §3.12 and RFC 9865 (cursors). */
export type ScimType =
  | 'invalidCursor'
  | 'expiredCursor'
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'

export interface ScimErrorBody {
  schemas: string[]
  status: string
  scimType?: string
  detail?: string
}

export interface BulkOperation {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  bulkId?: string
  version?: string
  path: string
  data?: unknown
}

export interface BulkRequest {
  schemas: string[]
  failOnErrors?: number
  Operations: BulkOperation[]
}

export interface BulkOperationResult {
  method: string
  bulkId?: string
  version?: string
  location?: string
  status: string
  response?: unknown
}

export interface BulkResponse {
  schemas: string[]
  Operations: BulkOperationResult[]
}

export interface AuthenticationScheme {
  type: string
  name: string
  description: string
  specUri?: string
  documentationUri?: string
  primary?: boolean
}

export interface ServiceProviderConfig {
  schemas: string[]
  documentationUri?: string
  patch: { supported: boolean }
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number }
  filter: { supported: boolean; maxResults: number }
  changePassword: { supported: boolean }
  sort: { supported: boolean }
  etag: { supported: boolean }
  /** RFC 9865. */
  pagination?: {
    cursor?: boolean
    index?: boolean
    defaultPaginationMethod?: 'cursor' | 'index'
    defaultPageSize?: number
    maxPageSize?: number
    cursorTimeout?: number
  }
  authenticationSchemes: AuthenticationScheme[]
  meta?: ResourceMeta
}

export interface SchemaExtensionRef {
  schema: string
  required: boolean
}

export interface ResourceTypeDefinition {
  schemas: string[]
  id?: string
  name: string
  description?: string
  endpoint: string
  schema: string
  schemaExtensions?: SchemaExtensionRef[]
  meta?: ResourceMeta
}

export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'complex'
  | 'binary'

export interface AttributeDefinition {
  name: string
  type: AttributeType
  multiValued: boolean
  description?: string
  required: boolean
  caseExact: boolean
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly'
  returned: 'always' | 'never' | 'default' | 'request'
  uniqueness: 'none' | 'server' | 'global'
  canonicalValues?: string[]
  referenceTypes?: string[]
  subAttributes?: AttributeDefinition[]
}

export interface SchemaDefinition {
  schemas?: string[]
  id: string
  name?: string
  description?: string
  attributes: AttributeDefinition[]
  meta?: ResourceMeta
}
