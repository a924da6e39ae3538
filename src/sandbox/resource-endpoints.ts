/**
 * The resource endpoints of one type: create, read, replace, patch, delete, with ETag
 * preconditions (RFC 7644 §3.14) and the attribute selection of §3.9 on every returned resource.
 */

import { ScimProtocolError } from '../scim/errors.ts'
import { applyPatchOperations } from '../scim/patch/patch-apply.ts'
import type { ResourceSchema } from '../scim/resource-schema.ts'
import type { PatchOperation } from '../scim/resources.ts'
import { MESSAGE } from '../scim/schemas.ts'
import { type Selection, selectAttributes, splitAttributeList } from './attribute-selection.ts'
import type { ServiceLimits } from './discovery.ts'
import type { Reply } from './http-io.ts'
import { etagOf, type StoredResource } from './resource-collection.ts'
import { checkResourceInput, jsonEqual } from './resource-input.ts'
import { locationOf, type RenderContext, renderResource } from './resource-render.ts'
import type { ResourceKind } from './resource-store.ts'

/** Everything a request handler needs. `baseUrl` is set once the server listens. */
export interface SandboxContext extends RenderContext {
  limits: ServiceLimits
}

/** A request as the handlers see it: path segments after the base path, body already parsed. */
export interface ScimRequest {
  method: string
  segments: string[]
  params: URLSearchParams
  ifMatch: string | undefined
  ifNoneMatch: string | undefined
  body: unknown
}

/** The opaque part of an entity tag: `W/"3"` → `3`. */
function opaqueTag(tag: string): string {
  const t = tag.trim()
  const strong = t.startsWith('W/') ? t.slice(2) : t
  return strong.startsWith('"') && strong.endsWith('"') && strong.length >= 2 ? strong.slice(1, -1) : strong
}

/** Weak comparison (RFC 9110 §8.8.3.2) against a comma-separated If-Match / If-None-Match list. */
function tagListMatches(header: string, version: number): boolean {
  const current = String(version)
  return header.split(',').some((tag) => tag.trim() === '*' || opaqueTag(tag) === current)
}

function checkIfMatch(request: ScimRequest, stored: StoredResource): void {
  if (request.ifMatch === undefined || tagListMatches(request.ifMatch, stored.version)) return
  throw new ScimProtocolError(
    412,
    `If-Match ${request.ifMatch} does not match the current version ${etagOf(stored.version)}: ` +
      'the resource changed since it was read; read it again and retry',
  )
}

function selectionOf(ctx: SandboxContext, kind: ResourceKind, params: URLSearchParams): Selection {
  return selectAttributes(
    ctx.store.collection(kind).schema,
    splitAttributeList(params.get('attributes')),
    splitAttributeList(params.get('excludedAttributes')),
  )
}

function find(ctx: SandboxContext, kind: ResourceKind, id: string): StoredResource {
  const stored = ctx.store.collection(kind).get(id)
  if (!stored) throw new ScimProtocolError(404, `${kind} ${id} not found`)
  return stored
}

function resourceReply(
  ctx: SandboxContext,
  kind: ResourceKind,
  stored: StoredResource,
  request: ScimRequest,
  status: number,
): Reply {
  const headers: Record<string, string> = { ETag: etagOf(stored.version) }
  if (status === 201) headers.Location = locationOf(ctx.baseUrl, kind, stored.id)
  return { status, headers, body: renderResource(ctx, kind, stored, selectionOf(ctx, kind, request.params)) }
}

/** `GET /{type}/{id}`, 304 when If-None-Match names the current version. */
export function getResource(
  ctx: SandboxContext,
  kind: ResourceKind,
  id: string,
  request: ScimRequest,
): Reply {
  const stored = find(ctx, kind, id)
  if (request.ifNoneMatch !== undefined && tagListMatches(request.ifNoneMatch, stored.version)) {
    return { status: 304, headers: { ETag: etagOf(stored.version) } }
  }
  return resourceReply(ctx, kind, stored, request, 200)
}

/** `POST /{type}`. */
export function createResource(ctx: SandboxContext, kind: ResourceKind, request: ScimRequest): Reply {
  const schema = ctx.store.collection(kind).schema
  const stored = ctx.store.create(kind, checkResourceInput(schema, request.body))
  return resourceReply(ctx, kind, stored, request, 201)
}

/** `PUT /{type}/{id}`: the body replaces every client-writable attribute. */
export function replaceResource(
  ctx: SandboxContext,
  kind: ResourceKind,
  id: string,
  request: ScimRequest,
): Reply {
  return changeResource(ctx, kind, id, request, () => request.body)
}

/**
 * The shared path of PUT and PATCH: the resource must exist and match `If-Match`; the new content
 * is validated against the stored one; a change that changes nothing (removing an absent member,
 * say) keeps the version.
 */
function changeResource(
  ctx: SandboxContext,
  kind: ResourceKind,
  id: string,
  request: ScimRequest,
  change: (stored: StoredResource, schema: ResourceSchema) => unknown,
): Reply {
  const stored = find(ctx, kind, id)
  checkIfMatch(request, stored)
  const schema = ctx.store.collection(kind).schema
  const checked = checkResourceInput(schema, change(stored, schema), stored.data)
  if (!jsonEqual(checked, stored.data)) ctx.store.replace(kind, stored, checked)
  return resourceReply(ctx, kind, stored, request, 200)
}

function patchOperations(body: unknown): PatchOperation[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ScimProtocolError(400, 'The request body must be a PatchOp object', 'invalidSyntax')
  }
  const { schemas, Operations } = body as Record<string, unknown>
  if (!Array.isArray(schemas) || !schemas.includes(MESSAGE.patchOp)) {
    throw new ScimProtocolError(400, `"schemas" must be ["${MESSAGE.patchOp}"]`, 'invalidSyntax')
  }
  if (!Array.isArray(Operations)) {
    throw new ScimProtocolError(400, '"Operations" must be an array of operations', 'invalidSyntax')
  }
  return Operations as PatchOperation[]
}

/** `PATCH /{type}/{id}` (RFC 7644 §3.5.2); answers 200 with the resource. */
export function patchResource(
  ctx: SandboxContext,
  kind: ResourceKind,
  id: string,
  request: ScimRequest,
): Reply {
  return changeResource(ctx, kind, id, request, (stored, schema) =>
    applyPatchOperations(stored.data, patchOperations(request.body), schema),
  )
}

/** `DELETE /{type}/{id}`. */
export function deleteResource(
  ctx: SandboxContext,
  kind: ResourceKind,
  id: string,
  request: ScimRequest,
): Reply {
  const stored = find(ctx, kind, id)
  checkIfMatch(request, stored)
  ctx.store.delete(kind, stored)
  return { status: 204 }
}
