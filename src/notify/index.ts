export { AlertmanagerNotifier, type NotifierOptions, type NotifierStats } from './notifier.js';
export { isResolved, type EngineAlert } from './engine-alert.js';
export type { PostableAlert } from './postable-alert.js';
export { RESOLVED_RETENTION_MS } from './resend-policy.js';
