/**
 * Matching an identity to an existing account: its link first, then each matching attribute in
 * the integration's order; the first attribute that finds exactly one account decides. Several
 * candidates, or one already linked to someone else, is a disputed match: reported, never guessed.
 */
import type { MatchKey } from '../config/index.ts'
import type { GraphAccount } from './graph-accounts.ts'
import type { IntegrationGraph } from './integration-graph.ts'

export type MatchResult =
  | { kind: 'matched'; account: GraphAccount; by: MatchKey | 'link' }
  | { kind: 'none' }
  | { kind: 'disputed'; reason: string; candidates: string[] }

/** Finds the account `identity` (with these wanted values) stands for. */
export function matchAccount(
  graph: IntegrationGraph,
  identity: string,
  values: Readonly<Record<string, unknown>>,
  keys: readonly MatchKey[],
): MatchResult {
  const linked = graph.linkedAccount(identity)
  if (linked !== undefined) {
    const account = graph.account(linked)
    if (account) return { kind: 'matched', account, by: 'link' }
  }
  for (const key of keys) {
    const value = values[key]
    if (typeof value !== 'string' || value === '') continue
    const candidates = graph.accountsBy(key, value)
    if (candidates.length === 0) continue
    const ids = candidates.map((c) => describe(c))
    if (candidates.length > 1) {
      return {
        kind: 'disputed',
        reason: `${candidates.length} accounts have ${key} ${JSON.stringify(value)}`,
        candidates: ids,
      }
    }
    const account = candidates[0] as GraphAccount
    const owner = graph.linkedIdentity(account.id)
    if (owner !== undefined && owner !== identity) {
      return {
        kind: 'disputed',
        reason: `the account with ${key} ${JSON.stringify(value)} is already linked to ${JSON.stringify(owner)}`,
        candidates: ids,
      }
    }
    return { kind: 'matched', account, by: key }
  }
  return { kind: 'none' }
}

function describe(account: GraphAccount): string {
  return account.userName ? `${account.id} (${account.userName})` : account.id
}
