import { mkdirSync, readdirSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extraGeneratedFiles, type OutputSet } from './generated-files.js';

/** A file that could not be written, named by its target rather than its temporary name. */
export class OutputWriteError extends Error {
  constructor(
    readonly target: string,
    override readonly cause: NodeJS.ErrnoException,
  ) {
    // Node's own message ends with the syscall and the temporary path: the code and its words are the reason.
    super(`cannot write ${target}: ${cause.code ? `${cause.message.replace(/^\w+: /, '').replace(/, \w+( '.*')?$/, '')} (${cause.code})` : cause.message}`);
  }
}

/** Writes in flight at once: creating files is mostly waiting on the file system, not the CPU. */
const CONCURRENCY = 16;

interface Job {
  dir: string;
  name: string;
  content: string;
}

/**
 * Writes `slo generate`'s outputs while they are still being rendered. Each new or changed file
 * is written next to its target under a temporary name as soon as it is offered, so the file
 * system works while the CPU renders the rest; `commit` then renames them all into place and
 * removes the generated files no SLO produces any more. A failure anywhere before `commit`
 * leaves the old outputs untouched and no temporary file behind. Unchanged files are not touched.
 */
export class OutputStaging {
  private readonly present = new Map<string, Set<string>>();
  private readonly queue: Job[] = [];
  private next = 0;
  /** Temporary files written (or begun), with their targets. */
  private readonly staged: Array<{ path: string; target: string }> = [];
  private running = 0;
  private failure: unknown;
  private idle?: () => void;

  constructor(dirs: readonly string[]) {
    for (const dir of dirs) {
      mkdirSync(dir, { recursive: true });
      // One listing per folder instead of a stat per file: a fresh folder has nothing to compare.
      this.present.set(dir, new Set(readdirSync(dir)));
    }
  }

  offer(dir: string, files: ReadonlyMap<string, string>): void {
    for (const [name, content] of files) this.queue.push({ dir, name, content });
    this.pump();
  }

  private pump(): void {
    while (this.failure === undefined && this.running < CONCURRENCY && this.next < this.queue.length) {
      const job = this.queue[this.next++]!;
      this.running++;
      this.stage(job).then(
        () => this.settle(),
        (e: unknown) => {
          this.failure ??= e;
          this.settle();
        },
      );
    }
    if (this.running === 0 && (this.next === this.queue.length || this.failure !== undefined)) this.idle?.();
  }

  private settle(): void {
    this.running--;
    this.pump();
  }

  private async stage({ dir, name, content }: Job): Promise<void> {
    const target = join(dir, name);
    if (this.present.get(dir)!.has(name) && (await readFile(target, 'utf8')) === content) return;
    // New files too go through a temporary name: a killed run must never leave a half-written
    // rule file for Prometheus or a GitOps sync to pick up.
    const path = join(dir, `.${name}.${process.pid}.tmp`);
    this.staged.push({ path, target });
    try {
      await writeFile(path, content);
    } catch (e) {
      throw new OutputWriteError(target, e as NodeJS.ErrnoException);
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      this.idle = resolve;
      this.pump();
    });
  }

  /**
   * Renames every staged file into place and removes generated files nobody produces any more;
   * `sets` is every file each folder should hold (two sets may share a folder).
   */
  async commit(sets: readonly OutputSet[]): Promise<{ written: number; removed: number }> {
    await this.drained();
    if (this.failure !== undefined) {
      await this.abort();
      throw this.failure;
    }
    const extra = extraGeneratedFiles(sets, (dir) => [...this.present.get(dir)!]);
    await Promise.all(this.staged.map((s) => rename(s.path, s.target)));
    await Promise.all(extra.map((f) => rm(f)));
    return { written: this.staged.length, removed: extra.length };
  }

  /** Stops staging and removes what was staged: the old outputs stay as they were. */
  async abort(): Promise<void> {
    this.failure ??= new Error('aborted');
    await this.drained();
    await Promise.all(this.staged.map((s) => rm(s.path, { force: true })));
  }
}
