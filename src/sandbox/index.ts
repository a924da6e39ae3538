/** Public API of the sandbox: a local SCIM 2.0 service provider for policies, tests and benchmarks. */
export { type FaultSpec, FaultSpecError, parseFaultSpec } from './faults.ts'
export {
  type Sandbox,
  type SandboxOptions,
  type SandboxRequestRecord,
  startSandbox,
} from './sandbox-server.ts'
export {
  GROUP_RESOURCE,
  PROVISIO_USER_EXTENSION,
  PROVISIO_USER_SCHEMA,
  USER_RESOURCE,
} from './schema-definitions.ts'
export { seededGroupId, seededUser, seededUserId } from './seed.ts'
