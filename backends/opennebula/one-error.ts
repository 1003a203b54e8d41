/** OpenNebula's refusals: an answer with ok = false, carrying its own message and error code. */

/** OpenNebula's error codes (include/Request.h). */
export const ONE_ERROR = {
  AUTHENTICATION: 0x0100,
  AUTHORIZATION: 0x0200,
  NO_EXISTS: 0x0400,
  ACTION: 0x0800,
  XML_RPC_API: 0x1000,
  INTERNAL: 0x2000,
} as const;

export class OneApiError extends Error {
  override readonly name = 'OneApiError';
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
  get isAuthentication(): boolean {
    return this.code === ONE_ERROR.AUTHENTICATION;
  }
}
