import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-errors.js';

/** Reads a request body, refusing with 413 as soon as it passes `maxBytes` (before buffering the rest). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(new HttpError(413, `request body of ${declared} bytes is over the ${maxBytes}-byte limit (--max-body-bytes); send smaller batches`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > maxBytes) {
        failed = true;
        reject(new HttpError(413, `request body is over the ${maxBytes}-byte limit (--max-body-bytes); send smaller batches`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(new HttpError(400, `request body could not be read: ${e.message}`));
    });
  });
}
