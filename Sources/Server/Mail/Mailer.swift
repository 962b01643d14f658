import Foundation

/// A message to a person: an e-mail, or a text message to a phone number.
public struct OutgoingMessage: Sendable, Equatable {
    public enum Medium: String, Sendable {
        case email
        case sms
    }

    public var medium: Medium
    public var recipient: String
    public var subject: String
    public var body: String

    public init(medium: Medium, recipient: String, subject: String, body: String) {
        self.medium = medium
        self.recipient = recipient
        self.subject = subject
        self.body = body
    }
}

/// Why a message could not be handed on; the API answers 100005.
public struct DeliveryError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { "delivery failed: \(reason)" }
}

/// Delivers verification codes and notices.
public protocol Mailer: Sendable {
    func deliver(_ message: OutgoingMessage) async throws(DeliveryError)
}
