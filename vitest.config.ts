import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most files wait on real Prometheus, Alertmanager and VictoriaMetrics processes, and one waits
    // ten minutes of real time for a 5m bucket: on two cores, two workers overlap that waiting.
    maxWorkers: 2,
  },
});
