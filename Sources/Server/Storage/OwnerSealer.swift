import Crypto
import Foundation

/// Values kept sealed in the database for one owner (picture keys, ID
/// numbers): AES-GCM under a key derived from the server secret for one
/// purpose, with the owner's id as authenticated data. A copy of the database
/// does not give them away, and a sealed value moved to another user's row
/// does not open.
struct OwnerSealer: Sendable {
    private let key: SymmetricKey

    init(secret: ServerSecret, purpose: String) {
        key = SymmetricKey(data: secret.derive(purpose))
    }

    /// Nonce, ciphertext and tag in one blob.
    func seal(_ text: String, owner: Int) throws -> Data {
        try seal(text, boundTo: Self.context(owner))
    }

    func open(_ sealed: Data, owner: Int) throws -> String {
        try open(sealed, boundTo: Self.context(owner))
    }

    /// Sealed with `context` as authenticated data: it opens only with the same context.
    func seal(_ text: String, boundTo context: String) throws -> Data {
        guard let combined = try AES.GCM.seal(Data(text.utf8), using: key, authenticating: Data(context.utf8)).combined else {
            throw SealingError()
        }
        return combined
    }

    func open(_ sealed: Data, boundTo context: String) throws -> String {
        let plaintext = try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Data(context.utf8))
        return String(decoding: plaintext, as: UTF8.self)
    }

    private static func context(_ owner: Int) -> String { "user \(owner)" }
}

/// AES-GCM gave no combined box (it always does with its standard nonce).
struct SealingError: Error {
}
