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
        guard let combined = try AES.GCM.seal(Data(text.utf8), using: key, authenticating: Self.context(owner)).combined else {
            throw ErrorCatalogue.internalError
        }
        return combined
    }

    func open(_ sealed: Data, owner: Int) throws -> String {
        let plaintext = try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Self.context(owner))
        return String(decoding: plaintext, as: UTF8.self)
    }

    private static func context(_ owner: Int) -> Data { Data("user \(owner)".utf8) }
}
