import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A remote-write receiver under test: how to start it, when it is ready, where to write. */
export interface Target {
  name: string;
  command(port: number, dataDir: string): { cmd: string; args: string[] };
  readyPath: string;
  writePath: string;
  /** A line of its own /metrics that says how many samples it took in, for a sanity check. */
  ingestedMetric: RegExp;
}

export const ENGINE: Target = {
  name: 'slo-engine',
  command: (port, dir) => ({ cmd: './bin/slo', args: ['serve', 'slos', '--listen', `127.0.0.1:${port}`, '--data-dir', dir, '--no-watch'] }),
  readyPath: '/readyz',
  writePath: '/api/v1/write',
  ingestedMetric: /^slo_engine_ingested_samples_total\{[^}]*outcome="accepted"[^}]*\} (\S+)/m,
};

export const PROMETHEUS: Target = {
  name: 'Prometheus',
  command: (port, dir) => {
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 15s\n');
    return {
      cmd: '/usr/bin/prometheus',
      args: ['--web.enable-remote-write-receiver', `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, `--config.file=${config}`],
    };
  },
  readyPath: '/-/ready',
  writePath: '/api/v1/write',
  ingestedMetric: /^prometheus_tsdb_head_samples_appended_total(?:\{[^}]*\})? (\S+)/m,
};

export const VICTORIA: Target = {
  name: 'VictoriaMetrics',
  command: (port, dir) => ({ cmd: '/usr/bin/victoria-metrics', args: [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'vm')}`] }),
  readyPath: '/health',
  writePath: '/api/v1/write',
  ingestedMetric: /^vm_rows_inserted_total\{type="promremotewrite"\} (\S+)/m,
};
