import Crypto

/// HMAC-SHA256 (RFC 2104) keyed once and applied to many short messages, on
/// the concrete `SHA256`. Crypto's `HMAC<H>` is generic and not inlinable, so
/// from another module each `finalize()` ran unspecialised, looking up type
/// metadata and witnesses: most of the key stream's time on a 12-megapixel
/// picture. The result is the same bytes as `HMAC<SHA256>` (tested).
struct HMACSHA256: Sendable {
    /// SHA-256 with the key XOR ipad (outer: opad) block already absorbed.
    private let inner: SHA256
    private let outer: SHA256

    init(key: [UInt8]) {
        // A key longer than the 64-byte block is replaced by its digest.
        var block = key.count > 64 ? Array(SHA256.hash(data: key)) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var inner = SHA256(), outer = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        outer.update(data: block.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    func authenticationCode(for message: UnsafeRawBufferPointer) -> SHA256Digest {
        var innerHash = inner
        innerHash.update(bufferPointer: message)
        let digest = innerHash.finalize()
        var outerHash = outer
        digest.withUnsafeBytes { outerHash.update(bufferPointer: $0) }
        return outerHash.finalize()
    }
}
