import Foundation
public import Hummingbird

/// An uploaded file of a multipart request.
public struct UploadedFile: Sendable {
    public var filename: String?
    public var contentType: String?
    public var bytes: [UInt8]
}

/// The request's parameters from the query string, an
/// `application/x-www-form-urlencoded`, `multipart/form-data` or JSON body,
/// merged (body values win over the query's).
public struct Parameters: Sendable {
    public private(set) var values: [String: String] = [:]
    public private(set) var files: [String: UploadedFile] = [:]

    public subscript(_ name: String) -> String? { values[name] }

    /// The largest body of fields (a form or JSON object): uploads go as multipart.
    public static let formLimit = 64 << 10
    /// The most fields (query and body) and multipart parts a request may have.
    public static let maxFields = 256
    public static let maxParts = 32

    /// Reads the query and at most `maxBodySize` bytes of body (`formLimit`
    /// unless the body is multipart); a larger body is refused with 413 before
    /// it is read further. Bodies other than form, multipart or JSON (such as
    /// the `text/plain` a cross-site form can send) are refused with 415.
    public static func read(
        _ request: Request, context: some RequestContext, maxBodySize: Int
    ) async throws -> Parameters {
        let query = request.uri.query ?? ""
        guard request.method != .get, request.method != .head else { return try parse(query: query, contentType: "", body: []) }
        // Not lowercased: a multipart boundary is case-sensitive (RFC 2046 5.1.1),
        // and browsers' boundaries have capitals.
        let contentType = request.headers[.contentType] ?? ""
        let kind = try bodyKind(contentType.lowercased())
        let limit = kind == .multipart ? maxBodySize : min(maxBodySize, formLimit)
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw HTTPError(.contentTooLarge, message: kind == .multipart || limit < formLimit
                ? "the request body is larger than \(limit) bytes"
                : "a body of fields is at most \(limit) bytes; send uploads as multipart/form-data")
        }
        return try parse(query: query, contentType: contentType, body: Array(buffer.readableBytesView))
    }

    /// The parameters of a query string and a body of `contentType` (as
    /// sent: the media type in any case, the boundary exact), already read within its limit. Pure: the fuzzer's entry point.
    public static func parse(query: String, contentType: String, body bytes: [UInt8]) throws -> Parameters {
        var parameters = Parameters()
        // The query is form-encoded too: "+" is a space (HTML forms, and OAuth
        // clients writing scope=basic+messages).
        for (key, value) in try formPairs(query) { parameters.values[key] = value }
        guard !bytes.isEmpty else { return parameters }
        switch try bodyKind(contentType.lowercased()) {
        case .json:
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw ErrorCatalogue.validationFailed.because("the body is not a JSON object")
            }
            guard object.count <= maxFields else { throw tooManyFields }
            for (key, value) in object {
                switch value {
                case let string as String: parameters.values[key] = string
                case let number as NSNumber: parameters.values[key] = number.stringValue
                default: continue
                }
            }
        case .multipart:
            guard let boundary = Self.boundary(contentType) else {
                throw ErrorCatalogue.validationFailed.because("multipart/form-data needs a boundary")
            }
            try parameters.readMultipart(bytes, boundary: boundary)
        case .form:
            for (key, value) in try formPairs(String(decoding: bytes, as: UTF8.self)) { parameters.values[key] = value }
        }
        guard parameters.values.count + parameters.files.count <= maxFields else { throw tooManyFields }
        return parameters
    }

    static func bodyKind(_ contentType: String) throws -> BodyKind {
        if contentType.hasPrefix("application/json") { return .json }
        if contentType.hasPrefix("multipart/form-data") { return .multipart }
        if contentType.isEmpty || contentType.hasPrefix("application/x-www-form-urlencoded") { return .form }
        throw HTTPError(.unsupportedMediaType, message: "send the fields as a form, multipart or JSON body")
    }

    enum BodyKind { case form, json, multipart }

    static let tooManyFields = ErrorCatalogue.validationFailed.because("a request has at most \(maxFields) fields")

    /// `application/x-www-form-urlencoded` pairs: "+" is a space, then percent-decoding.
    static func formPairs(_ text: String) throws(APIError) -> [(String, String)] {
        let pairs = text.split(separator: "&", maxSplits: maxFields, omittingEmptySubsequences: true)
        guard pairs.count <= maxFields else { throw tooManyFields }
        return pairs.compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(formDecoded)
            guard let key = parts.first, !key.isEmpty else { return nil }
            return (key, parts.count > 1 ? parts[1] : "")
        }
    }

    /// One form-encoded name or value: "+" is a space and %XX a byte. Text
    /// with a malformed escape, or whose bytes are not UTF-8, is kept as it
    /// came (with its "+" as spaces), as Foundation's `removingPercentEncoding`
    /// would have it; this runs on every request, so it works on the bytes.
    static func formDecoded(_ text: Substring) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(text) }
        let spaced = utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(spaced.count)
        var index = 0
        while index < spaced.count {
            let byte = spaced[index]
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                index += 1
                continue
            }
            guard index + 2 < spaced.count, let high = hexValue(spaced[index + 1]), let low = hexValue(spaced[index + 2]) else {
                return String(decoding: spaced, as: UTF8.self)
            }
            decoded.append(high << 4 | low)
            index += 3
        }
        return String(validating: decoded, as: UTF8.self) ?? String(decoding: spaced, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func boundary(_ contentType: String) -> String? {
        for part in contentType.split(separator: ";") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("boundary=") {
                return String(trimmed.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    private mutating func readMultipart(_ bytes: [UInt8], boundary: String) throws {
        let parts: [MultipartBody.Part]
        do {
            parts = try MultipartBody.parse(bytes, boundary: boundary, maxParts: Self.maxParts)
        } catch .tooManyParts {
            throw ErrorCatalogue.validationFailed.because("a request has at most \(Self.maxParts) parts")
        } catch .malformed(let reason) {
            throw ErrorCatalogue.validationFailed.because("the multipart body is malformed: \(reason)")
        }
        for part in parts {
            guard let disposition = part.headers["content-disposition"], let name = Self.attribute("name", in: disposition) else { continue }
            if let filename = Self.attribute("filename", in: disposition) {
                files[name] = UploadedFile(filename: filename, contentType: part.headers["content-type"], bytes: Array(part.body))
            } else {
                values[name] = String(decoding: part.body, as: UTF8.self)
            }
        }
    }

    static func attribute(_ name: String, in header: String) -> String? {
        for item in header.split(separator: ";") {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix(name + "=") else { continue }
            return String(trimmed.dropFirst(name.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }
}

extension Parameters {
    /// A yes/no field: 1, true, yes or on (any case) is yes; anything else, or none, no.
    public func flag(_ name: String) -> Bool {
        ["1", "true", "yes", "on"].contains(self[name]?.lowercased() ?? "")
    }

    /// A whole-number field in `range`, `value` when absent or empty; 100004 otherwise.
    public func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let raw = self[name], !raw.isEmpty else { return value }
        guard let number = Int(raw), range.contains(number) else {
            throw ErrorCatalogue.validationFailed.because("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }
}
