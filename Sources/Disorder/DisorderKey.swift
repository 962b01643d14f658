import Crypto
import _CryptoExtras
import Foundation

/// The 256-bit secret pictures are scrambled with.
public struct DisorderKey: Sendable {
    let key: SymmetricKey

    /// 32 fresh bytes from the system CSPRNG.
    public init() {
        key = SymmetricKey(size: .bits256)
    }

    public init(bytes: [UInt8]) throws(DisorderError) {
        guard bytes.count == 32 else { throw .invalidKey("a key is 32 bytes, not \(bytes.count)") }
        key = SymmetricKey(data: bytes)
    }

    /// A key file's text: 64 hex digits, or base64 of 32 bytes, or else a
    /// passphrase of at least 8 characters stretched with scrypt (see
    /// docs/disorder-format.md). Surrounding white space is ignored.
    public init(text: String) throws(DisorderError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, let bytes = Self.hex(trimmed) {
            try self.init(bytes: bytes)
        } else if trimmed.count == 44, let data = Data(base64Encoded: trimmed), data.count == 32 {
            try self.init(bytes: [UInt8](data))
        } else {
            try self.init(passphrase: trimmed)
        }
    }

    /// Whether `init(text:)` would read `text` as a passphrase (and so run scrypt).
    public static func isPassphrase(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, hex(trimmed) != nil { return false }
        if trimmed.count == 44, let data = Data(base64Encoded: trimmed), data.count == 32 { return false }
        return true
    }

    /// scrypt(passphrase, salt "upare-disorder-v1 passphrase", N = 2^15, r = 8, p = 1, 32 bytes).
    public init(passphrase: String) throws(DisorderError) {
        guard passphrase.count >= 8 else { throw .invalidKey("a passphrase needs at least 8 characters") }
        do {
            key = try KDF.Scrypt.deriveKey(
                from: Array(passphrase.utf8), salt: Array("upare-disorder-v1 passphrase".utf8),
                outputByteCount: 32, rounds: 1 << 15, blockSize: 8, parallelism: 1)
        } catch {
            throw .invalidKey("scrypt failed: \(error)")
        }
    }

    /// The key as 64 hex digits, for writing a key file.
    public var hexString: String {
        key.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
    }

    static func hex(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = text.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let value = UInt8(String([high, low]), radix: 16) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    func mac(_ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }
}
