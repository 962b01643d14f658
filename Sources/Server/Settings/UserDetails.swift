public import Foundation
import SQLKit

/// The spec's detail information (2.2.3.3), each field checked.
public struct UserDetails: Sendable, Equatable {
    public var realname: String?
    public var idcard: String?
    public var address: String?
    public var gender: String?
    public var nation: String?
    public var postalcode: String?
    public var departmentcode: String?
    public var majorcode: String?
    public var leader: String?

    public init() {}

    static let fields = ["realname", "idcard", "address", "gender", "nation", "postalcode", "departmentcode", "majorcode", "leader"]

    /// The reply: the ID number masked but for its last four characters.
    var payload: [String: any Sendable] {
        var fields: [String: any Sendable] = [:]
        if let realname { fields["realname"] = realname }
        if let idcard { fields["idcard"] = String(repeating: "*", count: max(0, idcard.count - 4)) + idcard.suffix(4) }
        if let address { fields["address"] = address }
        if let gender { fields["gender"] = gender }
        if let nation { fields["nation"] = nation }
        if let postalcode { fields["postalcode"] = postalcode }
        if let departmentcode { fields["departmentcode"] = departmentcode }
        if let majorcode { fields["majorcode"] = majorcode }
        if let leader { fields["leader"] = leader }
        return fields
    }

    /// Sets each field present in `parameters` (an empty value clears it).
    mutating func apply(_ parameters: Parameters) throws(APIError) {
        func text(_ name: String, max: Int) throws(APIError) -> String?? {
            guard let raw = parameters[name] else { return .none }
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if value.isEmpty { return .some(nil) }
            guard value.count <= max, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ErrorCatalogue.validationFailed.because("\(name) is at most \(max) characters, without control characters")
            }
            return .some(value)
        }
        if let value = try text("realname", max: 64) { realname = value }
        if let value = try text("address", max: 200) { address = value }
        if let value = try text("nation", max: 32) { nation = value }
        if let value = try text("leader", max: 64) { leader = value }
        if let value = try text("idcard", max: 18) {
            guard value.map({ Self.validIDCard($0) }) ?? true else {
                throw ErrorCatalogue.validationFailed.because("idcard must be an 18-character resident ID with a valid date and check digit")
            }
            idcard = value?.uppercased()
        }
        if let value = try text("gender", max: 8) {
            switch value?.lowercased() {
            case nil: gender = nil
            case "male", "m", "男": gender = "male"
            case "female", "f", "女": gender = "female"
            case "other", "o": gender = "other"
            default: throw ErrorCatalogue.validationFailed.because("gender must be male, female or other")
            }
        }
        if let value = try text("postalcode", max: 6) {
            guard value.map({ $0.count == 6 && $0.allSatisfy { $0.isASCII && $0.isNumber } }) ?? true else {
                throw ErrorCatalogue.validationFailed.because("postalcode must be 6 digits")
            }
            postalcode = value
        }
        for name in ["departmentcode", "majorcode"] {
            if let value = try text(name, max: 32) {
                guard value.map({ $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") } }) ?? true else {
                    throw ErrorCatalogue.validationFailed.because("\(name) may hold letters, digits, '-' and '_'")
                }
                if name == "departmentcode" { departmentcode = value } else { majorcode = value }
            }
        }
    }

    /// GB 11643-1999: 17 digits (area, birth date YYYYMMDD, sequence) and an
    /// ISO 7064 MOD 11-2 check character.
    static func validIDCard(_ text: String) -> Bool {
        let characters = Array(text.uppercased())
        guard characters.count == 18, characters.prefix(17).allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        let digits = characters.prefix(17).compactMap { $0.wholeNumberValue }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        let check = Array("10X98765432")[sum % 11]
        guard characters[17] == check else { return false }
        let birth = String(characters[6..<14])
        guard let date = try? Date(birth, strategy: Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.omitted)),
              date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.omitted)) == birth
        else { return false }
        return date.timeIntervalSince1970 > -2_208_988_800  // after 1900
    }
}

/// `user_details`. The ID number is sealed for its owner (`OwnerSealer`) and
/// kept as `sealed:<base64>` in its text column.
public struct UserDetailStore: Sendable {
    let database: any SQLDatabase
    let sealer: OwnerSealer

    public init(database: ServerDatabase, secret: ServerSecret) {
        self.database = database.sql
        sealer = OwnerSealer(secret: secret, purpose: "user detail sealing")
    }

    func seal(_ text: String?, for userID: Int) throws -> String? {
        try text.map { "sealed:" + (try sealer.seal($0, owner: userID)).base64EncodedString() }
    }

    func open(_ stored: String?, for userID: Int) throws -> String? {
        guard let stored, stored.hasPrefix("sealed:"), let combined = Data(base64Encoded: String(stored.dropFirst(7))) else {
            return stored
        }
        return try sealer.open(combined, owner: userID)
    }

    struct Row: Decodable {
        var realname: String?, idcard: String?, address: String?, gender: String?, nation: String?
        var postalcode: String?, departmentcode: String?, majorcode: String?, leader: String?
    }

    public func details(of userID: Int) async throws -> UserDetails {
        var details = UserDetails()
        if let row = try await database.select().columns(UserDetails.fields.map { SQLColumn($0) }).from("user_details")
            .where("user_id", .equal, SQLBind(userID)).first(decoding: Row.self) {
            details.realname = row.realname
            details.idcard = try open(row.idcard, for: userID)
            details.address = row.address
            details.gender = row.gender
            details.nation = row.nation
            details.postalcode = row.postalcode
            details.departmentcode = row.departmentcode
            details.majorcode = row.majorcode
            details.leader = row.leader
        }
        return details
    }

    public func save(_ details: UserDetails, for userID: Int, at now: Date) async throws {
        try await database.raw("""
            INSERT INTO user_details (user_id, realname, idcard, address, gender, nation, postalcode, departmentcode, majorcode, leader, updated_at)
            VALUES (\(bind: userID), \(bind: details.realname), \(bind: try seal(details.idcard, for: userID)), \(bind: details.address), \(bind: details.gender),
                    \(bind: details.nation), \(bind: details.postalcode), \(bind: details.departmentcode), \(bind: details.majorcode),
                    \(bind: details.leader), \(bind: now.timeIntervalSince1970))
            ON CONFLICT (user_id) DO UPDATE SET realname = excluded.realname, idcard = excluded.idcard, address = excluded.address,
                gender = excluded.gender, nation = excluded.nation, postalcode = excluded.postalcode,
                departmentcode = excluded.departmentcode, majorcode = excluded.majorcode, leader = excluded.leader,
                updated_at = excluded.updated_at
            """).run()
    }
}
