/**
 * DOC: hex fixture helpers shared by the tests: text with ':' or space separators to bytes, and back.
 */

/** Parses hex that may contain ':' or whitespace separators (ExaBGP's fixture style). */
export function hex(text: string): Buffer {
  const clean = text.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`bad hex fixture: ${text.slice(0, 40)}`);
  return Buffer.from(clean, 'hex');
}

/** Upper-case hex of bytes, for readable assertion diffs. */
export function toHex(buf: Uint8Array): string {
  return Buffer.from(buf).toString('hex').toUpperCase();
}

/** A whole BGP message: 16-octet marker, length, type, body. */
export function message(type: number, body: Uint8Array): Buffer {
  const out = Buffer.alloc(19 + body.length, 0xff);
  out.writeUInt16BE(19 + body.length, 16);
  out[18] = type;
  Buffer.from(body).copy(out, 19);
  return out;
}
