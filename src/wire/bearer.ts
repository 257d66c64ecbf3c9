/**
 * The bearer-token alphabet both ends check: the server refuses a token outside it, and the CLI
 * refuses to send one (so a typo is a usage error, not an UNAUTHENTICATED round trip).
 */

/** RFC 6750 `b64token`: the characters a bearer token may have. */
export const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
