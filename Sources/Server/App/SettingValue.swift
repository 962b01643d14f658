import Foundation

/// A setting that cannot be used: which one, from where, and what it must be.
/// The server refuses to start with it.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// A value of the JSON configuration file, with its JSON type kept (a
/// number is never taken for a boolean, nor the other way round).
enum JSONValue: Decodable, Equatable {
    case bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue]), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var shown: String {
        switch self {
        case .bool(let value): "\(value)"
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
        case .string(let value): "\"\(value.prefix(80))\""
        case .array: "a list"
        case .object: "an object"
        case .null: "null"
        }
    }
}

/// One setting's value as read from the environment (text) or the JSON file
/// (typed), with its typed readers. Each names the setting and the allowed
/// values when the value does not fit.
struct SettingValue {
    enum Raw {
        /// An environment variable: text, converted as the setting needs.
        case text(String)
        /// A value of the file, as JSON typed it.
        case json(JSONValue)
    }

    let raw: Raw
    /// "UPARE_PORT" or "upare.json: port", for messages.
    let source: String

    private func refuse(_ wanted: String) -> ConfigurationError {
        let shown = switch raw {
        case .text(let text): "\"\(text.prefix(80))\""
        case .json(let value): value.shown
        }
        return ConfigurationError("\(source) must be \(wanted), not \(shown)")
    }

    private var text: String? {
        switch raw {
        case .text(let text): text.trimmingCharacters(in: .whitespaces)
        case .json(.string(let text)): text.trimmingCharacters(in: .whitespaces)
        default: nil
        }
    }

    func string() throws -> String {
        guard let text, !text.isEmpty else { throw refuse("text") }
        return text
    }

    func int(in range: ClosedRange<Int>) throws -> Int {
        var number: Int?
        switch raw {
        case .text(let text): number = Int(text.trimmingCharacters(in: .whitespaces))
        case .json(.number(let value)): number = Int(exactly: value)
        default: number = nil
        }
        guard let number, range.contains(number) else { throw refuse("a whole number in \(range.lowerBound)...\(range.upperBound)") }
        return number
    }

    func double(in range: ClosedRange<Double>) throws -> Double {
        var number: Double?
        switch raw {
        case .text(let text): number = Double(text.trimmingCharacters(in: .whitespaces))
        case .json(.number(let value)): number = value
        default: number = nil
        }
        guard let number, number.isFinite, range.contains(number) else {
            throw refuse("a number in \(range.lowerBound.formatted())...\(range.upperBound.formatted())")
        }
        return number
    }

    func bool() throws -> Bool {
        if case .json(.bool(let value)) = raw { return value }
        if case .json = raw { throw refuse("true or false") }
        switch text?.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw refuse("true or false (1/0, yes/no, on/off)")
        }
    }

    /// A JSON array of text, or comma-separated text; empty items dropped.
    func list() throws -> [String] {
        if case .json(.array(let items)) = raw {
            return try items.map { item in
                guard case .string(let text) = item else { throw refuse("a list of text") }
                return text.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
        }
        guard let text else { throw refuse("a list of text (a JSON array, or comma-separated)") }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// One of `choices` (compared case-insensitively).
    func choice(_ choices: [String]) throws -> String {
        guard let value = text?.lowercased(), choices.contains(value) else { throw refuse("one of " + choices.joined(separator: ", ")) }
        return value
    }
}
