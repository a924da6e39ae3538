import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Many tests start real processes (the CLI, sandboxes) on a 2-core machine: a slow start is load, not a fault.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
