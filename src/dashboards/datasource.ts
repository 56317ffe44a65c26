import { DatasourceVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';

/** Every panel reads the datasource the user picks, so one file serves any Prometheus-compatible backend. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}
