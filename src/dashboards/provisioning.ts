import { stringify } from 'yaml';

export const PROVISIONING_FILE = 'provisioning.yaml';

/**
 * A Grafana dashboard provider (`/etc/grafana/provisioning/dashboards/`) that loads every JSON
 * file of the folder it is mounted at. `path` is where the folder is mounted inside Grafana.
 */
export function provisioningFile(header: string, path: string): string {
  const doc = {
    apiVersion: 1,
    providers: [
      {
        name: 'slo-engine',
        orgId: 1,
        folder: 'SLOs',
        folderUid: 'slo-engine',
        type: 'file',
        disableDeletion: false,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path, foldersFromFilesStructure: false },
      },
    ],
  };
  return `${header}${stringify(doc)}`;
}
