import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests mostly wait on the processes they spawn (the action, the simulated commands), so files run
    // side by side even on a 2-core machine (vitest's default there is one file at a time).
    maxWorkers: Math.max(3, availableParallelism()),
    // Bounds against a hang, not targets: a busy machine makes tests slower, never makes them fail. Every wait inside
    // a run is bounded by the action itself (wait-timeout scaled by the simulator's timeScale).
    testTimeout: 300_000,
    hookTimeout: 300_000
  }
})
