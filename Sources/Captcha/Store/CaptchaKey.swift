/// Which challenge a verification is about: the client (a session, or whatever
/// the server uses to tell clients apart) and the scenario id of the API's `id`
/// parameter. Each pair is an independent slot.
public struct CaptchaKey: Hashable, Sendable, CustomStringConvertible {
    public let client: String
    public let scenario: String

    public static let maximumLength = 128

    public init(client: String, scenario: String = "") throws(CaptchaError) {
        guard !client.isEmpty, client.utf8.count <= Self.maximumLength else {
            throw .invalidOption("the client key must be 1 to \(Self.maximumLength) bytes")
        }
        guard scenario.utf8.count <= Self.maximumLength,
              !scenario.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw .invalidOption("the captcha id must be at most \(Self.maximumLength) bytes of printable text")
        }
        self.client = client
        self.scenario = scenario
    }

    /// One string naming the slot (client and scenario cannot run into each
    /// other): what stores key challenges by and what answers are bound to.
    public var slot: String { "\(client.utf8.count):\(client)|\(scenario)" }

    public var description: String { "CaptchaKey(scenario: \"\(scenario)\")" }
}
