/**
 * GitHub's token checksum: the last 6 characters of a new-format token are
 * base62(CRC32(the rest of the body)). Shared by the format check
 * (format.ts) and the leak guard's scanner (scan.ts), which is start-up
 * code: this module is kept small, and imports only the policy.
 */
import { TOKEN_POLICY } from '../policy/policy';

/** The digits of GitHub's base62 checksum encoding, in value order. */
const BASE62_ALPHABET = TOKEN_POLICY.fixedLength.checksumAlphabet;

/** Lazily built CRC32 (IEEE 802.3, reflected polynomial 0xEDB88320) table. */
let crcTable: Uint32Array | undefined;

function getCrcTable(): Uint32Array {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) {
        c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      crcTable[n] = c >>> 0;
    }
  }
  return crcTable;
}

/** Encode a string as UTF-8 bytes (without relying on `TextEncoder`). */
function utf8Bytes(s: string): number[] {
  const bytes: number[] = [];
  for (const char of s) {
    const cp = char.codePointAt(0) as number;
    if (cp < 0x80) {
      bytes.push(cp);
    } else if (cp < 0x800) {
      bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    } else {
      bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    }
  }
  return bytes;
}

/**
 * CRC32 (the zlib / IEEE variant) of the UTF-8 bytes of `s`, as an unsigned
 * 32-bit integer. `crc32('123456789') === 0xcbf43926`.
 */
export function crc32(s: string): number {
  const table = getCrcTable();
  let crc = 0xffffffff;
  for (const byte of utf8Bytes(s)) {
    crc = table[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Encode a non-negative integer in base62 (alphabet `0-9A-Za-z`), left-padded
 * with `0` to at least `width` characters (longer results are not truncated).
 *
 * @throws RangeError when `n` is not a non-negative safe integer.
 */
export function toBase62(n: number, width = 0): string {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError('toBase62 expects a non-negative safe integer');
  }
  let digits = '';
  let rest = n;
  do {
    digits = BASE62_ALPHABET[rest % BASE62_ALPHABET.length] + digits;
    rest = Math.floor(rest / BASE62_ALPHABET.length);
  } while (rest > 0);
  return digits.padStart(width, '0');
}

/** Number of trailing checksum characters in new-format tokens. */
const CHECKSUM_LENGTH = TOKEN_POLICY.fixedLength.checksumLength;

/**
 * Whether `body` (a token without its prefix) ends with the checksum of the
 * rest: `toBase62(crc32(body minus its checksum), checksumLength) === its checksum`.
 */
export function bodyChecksumValid(body: string): boolean {
  if (body.length <= CHECKSUM_LENGTH) {
    return false;
  }
  const payload = body.slice(0, -CHECKSUM_LENGTH);
  return toBase62(crc32(payload), CHECKSUM_LENGTH) === body.slice(-CHECKSUM_LENGTH);
}
