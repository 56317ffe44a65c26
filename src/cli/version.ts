import { readFileSync } from 'node:fs';
import { projectPath } from '../paths.js';

// From the project root, not `import.meta.url`: this module also runs from the CLI bundle.
export const VERSION: string = (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
