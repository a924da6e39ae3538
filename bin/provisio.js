#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so there is no build step to forget.
import { setFlagsFromString } from 'node:v8'
import { register } from 'tsx/esm/api'

// Extraction streams pages, and each page's objects live while the next page is read and the page
// is written: long enough for many to be promoted to V8's old generation, where they die. V8 lets
// that generation grow to up to four times what was live at the last full collection before it
// collects again, which took an extraction of 100,000 users past 380 MB of memory for some 20 MB
// live. Growing by half keeps it near 250 MB, for more full collections that cost little (little
// is live) and no measurable time. V8 reads the setting each time it sets a new limit, so setting
// it here, before any work, is the same as passing --heap-growing-percent=50 to node.
setFlagsFromString('--heap-growing-percent=50')
register()
await import('../src/cli/main.ts')
