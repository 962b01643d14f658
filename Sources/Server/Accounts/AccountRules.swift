import Foundation

/// What a username, e-mail address, phone number and password must look like,
/// and the folded forms that uniqueness is about. Each check returns the value
/// as stored or throws 100004 saying precisely what is wrong.
public enum AccountRules {
    public static let usernameLength = 2...32
    /// bcrypt reads at most 72 bytes; a longer password would be silently cut.
    public static let passwordBytes = 8...72

    /// Letters (any script), digits, `_`, `.` and `-`; starting with a letter or digit.
    public static func username(_ raw: String?) throws(APIError) -> String {
        let name = (raw ?? "").trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping
        guard usernameLength.contains(name.count) else {
            throw ErrorCatalogue.validationFailed.because("username must be 2 to 32 characters")
        }
        let allowed = name.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "." || $0 == "-"
        }
        guard allowed, let first = name.unicodeScalars.first, CharacterSet.alphanumerics.contains(first) else {
            throw ErrorCatalogue.validationFailed.because(
                "username may hold letters, digits, '_', '.' and '-', and starts with a letter or digit")
        }
        return name
    }

    /// `local@domain.tld`, at most 254 characters, no spaces or controls.
    public static func email(_ raw: String?) throws(APIError) -> String {
        let address = (raw ?? "").trimmingCharacters(in: .whitespaces)
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let valid = address.utf8.count <= 254 && parts.count == 2
            && (1...64).contains(parts[0].utf8.count)
            && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !parts[1].contains("..")
            && address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !"<>()[],;:\\\"".unicodeScalars.contains($0) }
        guard valid else { throw ErrorCatalogue.validationFailed.because("email must be an address like name@example.com") }
        return address
    }

    /// Digits with an optional leading `+` (E.164: at most 15 digits); spaces,
    /// dashes, dots and parentheses are dropped.
    public static func phone(_ raw: String?) throws(APIError) -> String {
        let kept = (raw ?? "").filter { !" -.()".contains($0) }
        let digits = kept.hasPrefix("+") ? kept.dropFirst() : Substring(kept)
        guard (6...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ErrorCatalogue.validationFailed.because("phone must be 6 to 15 digits, optionally after '+'")
        }
        return kept
    }

    public static func password(_ raw: String?, username: String) throws(APIError) -> String {
        let password = raw ?? ""
        guard passwordBytes.contains(password.utf8.count) else {
            throw ErrorCatalogue.validationFailed.because("password must be 8 to 72 bytes")
        }
        guard password.lowercased() != username.lowercased() else {
            throw ErrorCatalogue.validationFailed.because("password must differ from the username")
        }
        return password
    }

    /// A medium of `sendcode`: an e-mail address when it holds `@`, else a phone number.
    public static func medium(_ raw: String) throws(APIError) -> Medium {
        raw.contains("@") ? .email(try email(raw)) : .phone(try phone(raw))
    }

    /// The form compared for uniqueness: case-folded, compatibility-normalised.
    public static func key(_ value: String) -> String {
        value.precomposedStringWithCompatibilityMapping.lowercased()
    }
}

/// Where a verification code goes.
public enum Medium: Sendable, Equatable {
    case email(String)
    case phone(String)

    /// The stored form, one row per medium.
    var key: String {
        switch self {
        case .email(let address): "email:" + AccountRules.key(address)
        case .phone(let number): "phone:" + number
        }
    }
}
