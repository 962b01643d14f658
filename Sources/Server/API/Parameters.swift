import Foundation
public import Hummingbird
import MultipartKit

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

    /// Reads the query and at most `maxBodySize` bytes of body; a larger body is
    /// refused with 413 before it is read further.
    public static func read(
        _ request: Request, context: some RequestContext, maxBodySize: Int
    ) async throws -> Parameters {
        var parameters = Parameters()
        // The query is form-encoded too: "+" is a space (HTML forms, and OAuth
        // clients writing scope=basic+messages).
        for (key, value) in formPairs(request.uri.query ?? "") { parameters.values[key] = value }
        guard request.method != .get, request.method != .head else { return parameters }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBodySize)
        } catch {
            throw HTTPError(.contentTooLarge, message: "the request body is larger than \(maxBodySize) bytes")
        }
        guard buffer.readableBytes > 0 else { return parameters }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let bytes = Array(buffer.readableBytesView)
        if contentType.hasPrefix("application/json") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw ErrorCatalogue.validationFailed
            }
            for (key, value) in object {
                switch value {
                case let string as String: parameters.values[key] = string
                case let number as NSNumber: parameters.values[key] = number.stringValue
                default: continue
                }
            }
        } else if contentType.hasPrefix("multipart/form-data") {
            guard let boundary = Self.boundary(contentType) else { throw ErrorCatalogue.validationFailed }
            try parameters.readMultipart(bytes, boundary: boundary)
        } else {
            // Form encoding is the default for bodies without a usable type.
            for (key, value) in formPairs(String(decoding: bytes, as: UTF8.self)) { parameters.values[key] = value }
        }
        return parameters
    }

    /// `application/x-www-form-urlencoded` pairs: "+" is a space, then percent-decoding.
    static func formPairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                let spaced = $0.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            guard let key = parts.first, !key.isEmpty else { return nil }
            return (key, parts.count > 1 ? parts[1] : "")
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
        let parser = MultipartParser(boundary: boundary)
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        var parts: [(headers: [String: String], body: [UInt8])] = []
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in body += buffer.readableBytesView }
        parser.onPartComplete = {
            parts.append((headers, body))
            headers = [:]
            body = []
        }
        do {
            try parser.execute(bytes)
        } catch {
            throw ErrorCatalogue.validationFailed
        }
        for part in parts {
            guard let disposition = part.headers["content-disposition"], let name = Self.attribute("name", in: disposition) else { continue }
            if let filename = Self.attribute("filename", in: disposition) {
                files[name] = UploadedFile(filename: filename, contentType: part.headers["content-type"], bytes: part.body)
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
