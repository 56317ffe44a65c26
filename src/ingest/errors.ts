/** A request body we refuse: the HTTP layer answers 400 (or 413) with this message, never retried. */
export class BadPayload extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
    this.name = 'BadPayload';
  }
}
