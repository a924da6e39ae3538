/**
 * Sources of truth: csv, json and scim reads, webhook deliveries, snapshots, and joiner/mover/leaver
 * detection. The policy engine reads sources through this module only; see docs/sources.md.
 */

export { type ReadSourceOptions, readSource } from './read-source.ts'
export { createScimSourceClient, type ScimClientFactory } from './scim-reader.ts'
export { type RefusalCode, SourceRefusedError, WebhookPayloadError } from './source-errors.ts'
export {
  currentIdentities,
  findIdentity,
  lastSnapshot,
  markEventsConsumed,
  pendingEvents,
  type SourceIdentity,
} from './source-queries.ts'
export type * from './source-types.ts'
export {
  applyDelivery,
  type Delivery,
  MAX_STORED_PROBLEMS,
  type SnapshotOptions,
  type SnapshotResult,
  takeSnapshot,
} from './take-snapshot.ts'
export {
  handleWebhookRequest,
  type WebhookContext,
  type WebhookRequest,
  type WebhookResponse,
  webhookSourceName,
} from './webhook-handler.ts'
export { parseDelivery } from './webhook-payload.ts'
export {
  DEFAULT_MAX_BODY_BYTES,
  sourceWebhookListener,
  type WebhookListenerOptions,
} from './webhook-server.ts'
export {
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  signWebhookBody,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
  webhookHeaders,
} from './webhook-signature.ts'
