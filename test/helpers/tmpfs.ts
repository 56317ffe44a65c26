import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/**
 * A small tmpfs mounted at `mountPoint`, for tests that need a disk that really fills up.
 * Returns the unmount. Needs root or CAP_SYS_ADMIN, and says so when it cannot mount.
 */
export function mountTmpfs(mountPoint: string, sizeMiB: number): () => void {
  mkdirSync(mountPoint, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', mountPoint], { stdio: 'pipe' });
  } catch (e) {
    const err = e as Error & { stderr?: Buffer };
    throw new Error(`cannot mount a ${sizeMiB} MiB tmpfs on ${mountPoint} (${err.stderr?.toString().trim() || err.message}); this test needs root or CAP_SYS_ADMIN to simulate a full disk`);
  }
  return () => execFileSync('umount', ['-l', mountPoint]);
}
