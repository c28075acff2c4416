import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests spawn the bundled action and dozens of simulated commands; these are bounds, not targets.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
