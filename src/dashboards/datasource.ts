import { sdk, type dashboard } from './sdk.js';

const { DatasourceVariableBuilder } = sdk.dashboard;

/** Every panel reads the datasource the user picks, so one file serves any Prometheus-compatible backend. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}
