// upare-disorder.js: unscrambles upare "disorder" pictures in the browser.
//
// Written from docs/disorder-format.md (version 1), not from the Swift code.
// An ES module; it also sets window.upareDisorder for classic scripts.
//
//   import { unscramble } from "/static/upare-disorder.js";
//   const canvas = await unscramble(bytes, key);   // bytes: ArrayBuffer or Uint8Array
//
// Block moves, rotations and mirrors are drawn with drawImage, so a browser
// that adds noise to canvas read-back (anti-fingerprinting) cannot corrupt
// them. Only channel shuffles (flag bit 1) read pixels back
// (getImageData/putImageData); pixels with alpha below 255 then lose some
// precision to the canvas's premultiplied storage.
//
// Keys as the CLI takes them: 64 hex digits, base64 of 32 bytes (44
// characters), or a passphrase of at least 8 characters (scrypt, N = 2^15,
// r = 8, p = 1: about 32 MB and a second or two). HMAC and PBKDF2 come from
// WebCrypto, which browsers offer in secure contexts only (HTTPS or localhost).

const HEADER_SIZE = 46;
const MAGIC = [0x55, 0x50, 0x44, 0x53]; // "UPDS"
const CONTAINERS = { 1: "png", 2: "bmp", 3: "jpeg" };
const MIME = { png: "image/png", bmp: "image/bmp", jpeg: "image/jpeg" };
const PASSPHRASE_SALT = "upare-disorder-v1 passphrase";
const ascii = (text) => new TextEncoder().encode(text);

/** Why a picture could not be unscrambled; `code` names the case, as the server's reasons. */
export class DisorderError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "DisorderError";
    this.code = code;
  }
}

const fail = (code, message) => {
  throw new DisorderError(code, message);
};

const subtle = () => {
  const api = globalThis.crypto && globalThis.crypto.subtle;
  if (!api) {
    fail("unsupported", "WebCrypto is not available here: open the page over HTTPS or from localhost");
  }
  return api;
};

const bytesOf = (input) => {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  fail("invalid_argument", "the picture must be an ArrayBuffer or a Uint8Array");
};

const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

const u32 = (b, at) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const u16 = (b, at) => (b[at] << 8) | b[at + 1];
const be32 = (n) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const be64 = (n) => concat(be32(Math.floor(n / 2 ** 32)), be32(n >>> 0));

async function hmac(key, message) {
  const imported = await subtle().importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle().sign("HMAC", imported, message));
}

// ---------------------------------------------------------------- keys

/**
 * The 32 key bytes of a key text, as the CLI reads a key file: 64 hex digits,
 * base64 of 32 bytes, or else a passphrase of at least 8 characters (scrypt).
 * A Uint8Array of 32 bytes is taken as it is.
 */
export async function parseKey(key) {
  if (key instanceof Uint8Array) {
    if (key.length !== 32) fail("invalid_key", `invalid key: a key is 32 bytes, not ${key.length}`);
    return key;
  }
  if (typeof key !== "string") fail("invalid_key", "invalid key: give the key as text");
  const text = key.trim();
  if (text.length === 64 && /^[0-9a-fA-F]+$/.test(text)) {
    return Uint8Array.from(text.match(/../g), (pair) => parseInt(pair, 16));
  }
  if (text.length === 44 && /^[A-Za-z0-9+/]{43}=$/.test(text)) {
    const decoded = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    if (decoded.length === 32) return decoded;
  }
  if ([...text].length < 8) fail("invalid_key", "invalid key: a passphrase needs at least 8 characters");
  return scrypt(new TextEncoder().encode(text), ascii(PASSPHRASE_SALT), 1 << 15, 8, 1, 32);
}

async function pbkdf2(password, salt, length) {
  const base = await subtle().importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  const bits = await subtle().deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 1 }, base, length * 8);
  return new Uint8Array(bits);
}

/** scrypt (RFC 7914) on PBKDF2-HMAC-SHA256 from WebCrypto; the mixing in plain JavaScript. */
export async function scrypt(password, salt, N, r, p, length) {
  if (N < 2 || (N & (N - 1)) !== 0) fail("invalid_argument", "scrypt: N must be a power of two");
  const blockWords = 32 * r; // 128 * r bytes
  const B = await pbkdf2(password, salt, p * 128 * r);
  const words = new Uint32Array(p * blockWords);
  const view = new DataView(B.buffer);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(i * 4, true);
  const V = new Uint32Array(N * blockWords);
  const X = new Uint32Array(blockWords);
  const Y = new Uint32Array(blockWords);
  const T = new Uint32Array(16);
  for (let i = 0; i < p; i++) {
    X.set(words.subarray(i * blockWords, (i + 1) * blockWords));
    for (let j = 0; j < N; j++) {
      V.set(X, j * blockWords);
      blockMix(X, Y, T, r);
    }
    for (let j = 0; j < N; j++) {
      const k = X[(2 * r - 1) * 16] & (N - 1);
      for (let w = 0; w < blockWords; w++) X[w] ^= V[k * blockWords + w];
      blockMix(X, Y, T, r);
    }
    words.set(X, i * blockWords);
  }
  for (let i = 0; i < words.length; i++) view.setUint32(i * 4, words[i], true);
  return pbkdf2(password, B, length);
}

// BlockMix(salsa20/8) of X in place, Y as scratch.
function blockMix(X, Y, T, r) {
  T.set(X.subarray((2 * r - 1) * 16, 2 * r * 16));
  for (let i = 0; i < 2 * r; i++) {
    for (let w = 0; w < 16; w++) T[w] ^= X[i * 16 + w];
    salsa8(T);
    // Even blocks to the first half, odd to the second.
    Y.set(T, ((i & 1) * r + (i >> 1)) * 16);
  }
  X.set(Y);
}

function salsa8(B) {
  let x0 = B[0], x1 = B[1], x2 = B[2], x3 = B[3], x4 = B[4], x5 = B[5], x6 = B[6], x7 = B[7];
  let x8 = B[8], x9 = B[9], x10 = B[10], x11 = B[11], x12 = B[12], x13 = B[13], x14 = B[14], x15 = B[15];
  const R = (a, b) => (a << b) | (a >>> (32 - b));
  for (let i = 0; i < 8; i += 2) {
    x4 ^= R(x0 + x12, 7); x8 ^= R(x4 + x0, 9); x12 ^= R(x8 + x4, 13); x0 ^= R(x12 + x8, 18);
    x9 ^= R(x5 + x1, 7); x13 ^= R(x9 + x5, 9); x1 ^= R(x13 + x9, 13); x5 ^= R(x1 + x13, 18);
    x14 ^= R(x10 + x6, 7); x2 ^= R(x14 + x10, 9); x6 ^= R(x2 + x14, 13); x10 ^= R(x6 + x2, 18);
    x3 ^= R(x15 + x11, 7); x7 ^= R(x3 + x15, 9); x11 ^= R(x7 + x3, 13); x15 ^= R(x11 + x7, 18);
    x1 ^= R(x0 + x3, 7); x2 ^= R(x1 + x0, 9); x3 ^= R(x2 + x1, 13); x0 ^= R(x3 + x2, 18);
    x6 ^= R(x5 + x4, 7); x7 ^= R(x6 + x5, 9); x4 ^= R(x7 + x6, 13); x5 ^= R(x4 + x7, 18);
    x11 ^= R(x10 + x9, 7); x8 ^= R(x11 + x10, 9); x9 ^= R(x8 + x11, 13); x10 ^= R(x9 + x8, 18);
    x12 ^= R(x15 + x14, 7); x13 ^= R(x12 + x15, 9); x14 ^= R(x13 + x12, 13); x15 ^= R(x14 + x13, 18);
  }
  B[0] += x0; B[1] += x1; B[2] += x2; B[3] += x3; B[4] += x4; B[5] += x5; B[6] += x6; B[7] += x7;
  B[8] += x8; B[9] += x9; B[10] += x10; B[11] += x11; B[12] += x12; B[13] += x13; B[14] += x14; B[15] += x15;
}

// ---------------------------------------------------------------- header

/** The container of a file by its signature: "png", "jpeg", "bmp", or null. */
function containerOf(b) {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return "bmp";
  return null;
}

// The 46 header bytes stored in the file, or null when it carries none.
function storedHeader(b, container) {
  if (container === "png") {
    // Chunks after the 8-byte signature: length, type, data, CRC.
    for (let at = 8; at + 12 <= b.length; ) {
      const length = u32(b, at);
      const type = String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
      if (type === "upDS") return length === HEADER_SIZE ? b.slice(at + 8, at + 8 + HEADER_SIZE) : "bad";
      if (type === "IDAT" || type === "IEND") return null;
      at += 12 + length;
    }
    return null;
  }
  if (container === "jpeg") {
    const marker = concat(ascii("upare-disorder"), new Uint8Array([0]));
    for (let at = 2; at + 4 <= b.length && b[at] === 0xff; ) {
      const code = b[at + 1];
      if (code === 0xda || code === 0xd9) return null; // start of scan, end of image
      const length = u16(b, at + 2);
      if (code === 0xe9 && length - 2 >= marker.length + HEADER_SIZE &&
          marker.every((value, i) => b[at + 4 + i] === value)) {
        const start = at + 4 + marker.length;
        return b.slice(start, start + HEADER_SIZE);
      }
      at += 2 + length;
    }
    return null;
  }
  if (b.length < 54 + HEADER_SIZE) return null;
  const tail = b.slice(b.length - HEADER_SIZE);
  return MAGIC.every((value, i) => tail[i] === value) ? tail : null;
}

/**
 * The disorder header of a scrambled file, parsed; rejects "not_scrambled",
 * "bad_header" or "unsupported" as the server does.
 */
export function readHeader(input) {
  const b = bytesOf(input);
  const container = containerOf(b);
  if (!container) fail("unsupported", "unsupported format: not a PNG, JPEG or BMP file");
  const raw = storedHeader(b, container);
  if (raw === "bad") fail("bad_header", "damaged disorder header: the upDS chunk is not 46 bytes");
  if (!raw) fail("not_scrambled", "not a scrambled picture (no upare disorder header)");
  return parseHeader(raw, container);
}

/** The fields of 46 header bytes (see the format's table). */
export function parseHeader(raw, container = null) {
  const h = bytesOf(raw);
  if (h.length !== HEADER_SIZE || !MAGIC.every((value, i) => h[i] === value)) {
    fail("not_scrambled", "not a scrambled picture (no upare disorder header)");
  }
  if (h[4] !== 1) fail("bad_header", `damaged disorder header: version ${h[4]} is not supported (this is version 1)`);
  if ((h[5] & ~3) !== 0 || h[7] !== 0) fail("bad_header", "damaged disorder header: unknown flags");
  const stored = CONTAINERS[h[6]];
  if (!stored) fail("bad_header", `damaged disorder header: unknown container ${h[6]}`);
  if (container && stored !== container) fail("bad_header", "damaged disorder header: it names another container");
  const header = {
    raw: h, flags: h[5], container: stored, block: u16(h, 8), width: u32(h, 10), height: u32(h, 14),
    unitWidth: u16(h, 18), unitHeight: u16(h, 20), nonce: h.slice(22, 38), keyCheck: h.slice(38, 46),
  };
  const { block, width, height, unitWidth, unitHeight } = header;
  if (block === 0 || block % 8 !== 0 || width === 0 || height === 0 || unitWidth === 0 || unitHeight === 0 ||
      block % unitWidth !== 0 || block % unitHeight !== 0) {
    fail("bad_header", "damaged disorder header: inconsistent geometry");
  }
  return header;
}

// ---------------------------------------------------------------- draws

// Successive 4-byte words of HMAC(seed, 0) ‖ HMAC(seed, 1) ‖ …; HMACs are
// computed in growing parallel batches, as WebCrypto is asynchronous.
class KeyStream {
  constructor(seedKey) {
    this.seedKey = seedKey;
    this.counter = 0;
    this.words = [];
    this.at = 0;
    this.batch = 1;
  }

  async refill() {
    const counters = Array.from({ length: this.batch }, (_, i) => this.counter + i);
    this.counter += this.batch;
    this.batch = Math.min(this.batch * 2, 256);
    const blocks = await Promise.all(counters.map((c) => subtle().sign("HMAC", this.seedKey, be64(c))));
    this.words = [];
    this.at = 0;
    for (const block of blocks) {
      const b = new Uint8Array(block);
      for (let i = 0; i < 32; i += 4) this.words.push(u32(b, i));
    }
  }

  async uniform(n) {
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      if (this.at >= this.words.length) await this.refill();
      const w = this.words[this.at++];
      if (w < limit) return w % n;
    }
  }
}

/**
 * The blocks (in pixels) and moves of a header under a key: move k says that
 * the scrambled block `target` holds the original block `source`, transformed
 * by `t`, with channel order `c`. `key` is 32 bytes (see parseKey).
 */
export async function planMoves(keyBytes, header) {
  const { width: W, height: H, unitWidth: uw, unitHeight: uh, block, flags } = header;
  const across = Math.ceil(W / uw), down = Math.ceil(H / uh);
  const bx = block / uw, by = block / uh;
  const partialRight = W % uw !== 0, partialBottom = H % uh !== 0;
  const blocks = [], groups = [], shapes = [], groupOf = new Map();
  for (let y = 0; y < down; y += by) {
    for (let x = 0; x < across; x += bx) {
      const w = Math.min(bx, across - x), h = Math.min(by, down - y);
      const right = partialRight && x + w === across, bottom = partialBottom && y + h === down;
      const shape = `${w},${h},${right},${bottom}`;
      if (!groupOf.has(shape)) {
        groupOf.set(shape, groups.length);
        groups.push([]);
        shapes.push({ w, h, right, bottom });
      }
      groups[groupOf.get(shape)].push(blocks.length);
      // In pixels, cut by the picture's size.
      blocks.push({ x: x * uw, y: y * uh, w: Math.min(w * uw, W - x * uw), h: Math.min(h * uh, H - y * uh) });
    }
  }
  const master = await hmac(keyBytes, concat(ascii("upare-disorder-v1"), header.raw.slice(4, 38)));
  const moves = [];
  for (let g = 0; g < groups.length; g++) {
    const members = groups[g];
    const seed = await hmac(master, concat(ascii("group"), be32(g)));
    const seedKey = await subtle().importKey("raw", seed, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const stream = new KeyStream(seedKey);
    const order = members.map((_, i) => i);
    for (let i = members.length - 1; i > 0; i--) {
      const j = await stream.uniform(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const { w, h, right, bottom } = shapes[g];
    const square = w * uw === h * uh && !right && !bottom;
    for (let k = 0; k < members.length; k++) {
      let t = 0, c = 0;
      if (flags & 1) t = square ? await stream.uniform(8) : [0, 2, 4, 5][await stream.uniform(4)];
      if (flags & 2) c = await stream.uniform(6);
      moves.push({ target: members[k], source: members[order[k]], t, c });
    }
  }
  return { blocks, moves };
}

/** Whether `keyBytes` is the key the header was made with (its key check). */
export async function keyMatches(keyBytes, header) {
  const check = await hmac(keyBytes, concat(ascii("upare-disorder-v1 key check"), header.nonce));
  let difference = 0;
  for (let i = 0; i < 8; i++) difference |= check[i] ^ header.keyCheck[i];
  return difference === 0;
}

// ---------------------------------------------------------------- pixels

// Scrambled (X, Y) -> original (X', Y') for each t, as canvas matrices
// [a, b, c, d, e, f] with X' = aX + cY + e, Y' = bX + dY + f (w, h: the block).
const TRANSFORMS = [
  (w, h) => [1, 0, 0, 1, 0, 0], // none
  (w, h) => [0, -1, 1, 0, 0, w], // rotate 90° clockwise
  (w, h) => [-1, 0, 0, -1, w, h], // rotate 180°
  (w, h) => [0, 1, -1, 0, h, 0], // rotate 270° clockwise
  (w, h) => [-1, 0, 0, 1, w, 0], // mirror left-right
  (w, h) => [1, 0, 0, -1, 0, h], // mirror top-bottom
  (w, h) => [0, 1, 1, 0, 0, 0], // transpose
  (w, h) => [0, -1, -1, 0, h, w], // anti-transpose
];

const CHANNEL_ORDERS = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

/** The picture of a PNG, JPEG or BMP file as an ImageBitmap, without colour management. */
export async function decodePicture(input, container = containerOf(bytesOf(input))) {
  const blob = new Blob([bytesOf(input)], { type: MIME[container] || "application/octet-stream" });
  try {
    return await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  } catch (error) {
    fail("unsupported", `the browser cannot decode this picture: ${error.message || error}`);
  }
}

/**
 * Unscrambles a scrambled PNG, JPEG or BMP file with `key`; resolves to a
 * canvas holding the original picture. Rejects with a DisorderError:
 * "wrong_key", "not_scrambled", "bad_header", "invalid_key" or "unsupported".
 */
export async function unscramble(input, key, { document: doc = globalThis.document } = {}) {
  const bytes = bytesOf(input);
  const header = readHeader(bytes);
  const keyBytes = await parseKey(key);
  if (!(await keyMatches(keyBytes, header))) fail("wrong_key", "wrong key: this picture was scrambled with another key");
  const { blocks, moves } = await planMoves(keyBytes, header);
  const picture = await decodePicture(bytes, header.container);
  if (picture.width !== header.width || picture.height !== header.height) {
    fail("bad_header", "damaged disorder header: the picture's size does not match it");
  }
  const canvas = doc.createElement("canvas");
  canvas.width = header.width;
  canvas.height = header.height;
  const context = canvas.getContext("2d", { willReadFrequently: (header.flags & 2) !== 0 });
  context.imageSmoothingEnabled = false;
  for (const move of moves) {
    const from = blocks[move.target], to = blocks[move.source];
    const [a, b, c, d, e, f] = TRANSFORMS[move.t](from.w, from.h);
    context.setTransform(a, b, c, d, to.x + e, to.y + f);
    context.drawImage(picture, from.x, from.y, from.w, from.h, 0, 0, from.w, from.h);
  }
  context.setTransform(1, 0, 0, 1, 0, 0);
  picture.close();
  for (const move of moves) {
    if (move.c === 0) continue;
    const to = blocks[move.source];
    const order = CHANNEL_ORDERS[move.c];
    const image = context.getImageData(to.x, to.y, to.w, to.h);
    const p = image.data;
    for (let i = 0; i < p.length; i += 4) {
      // Scrambled channel i holds original channel order[i].
      const r = p[i], g = p[i + 1], b = p[i + 2];
      const scrambled = [r, g, b];
      for (let ch = 0; ch < 3; ch++) p[i + order[ch]] = scrambled[ch];
    }
    context.putImageData(image, to.x, to.y);
  }
  return canvas;
}

const upareDisorder = { unscramble, readHeader, parseHeader, parseKey, planMoves, keyMatches, scrypt, decodePicture, DisorderError };
if (typeof window !== "undefined") window.upareDisorder = upareDisorder;
export default upareDisorder;
