import Foundation

/// A `multipart/form-data` body (RFC 7578, RFC 2046 5.1), whole in memory.
///
/// Hand-written because MultipartKit 4.7.1's parser traps (an array index out
/// of range) on any header-name byte of 0x80 or more: one anonymous upload
/// could stop the server. Found by `scripts/fuzz 240 requests`; the input is
/// a test in `SecurityTests`.
struct MultipartBody {
    struct Part {
        /// Header names in lower case.
        var headers: [String: String]
        var body: ArraySlice<UInt8>
    }

    enum Failure: Error {
        case malformed(String)
        case tooManyParts
    }

    /// The longest header section of one part.
    static let maxHeaderBytes = 8 << 10

    /// The parts of `bytes` delimited by `boundary`, at most `maxParts`.
    static func parse(_ bytes: [UInt8], boundary: String, maxParts: Int) throws(Failure) -> [Part] {
        let boundaryBytes = Array(boundary.utf8)
        guard (1...70).contains(boundaryBytes.count) else { throw .malformed("the boundary must be 1 to 70 characters") }
        let delimiter = Array("--".utf8) + boundaryBytes
        let separator = Array("\r\n".utf8) + delimiter
        // The first delimiter opens the body (a preamble before it is ignored).
        guard var position = firstIndex(of: delimiter, in: bytes, from: 0, atLineStart: true) else {
            throw .malformed("no boundary line")
        }
        position += delimiter.count
        var parts: [Part] = []
        while true {
            if bytes[position...].starts(with: Array("--".utf8)) { return parts }  // the close delimiter
            // Transport padding, then the line break that ends the delimiter line.
            while position < bytes.count, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") { position += 1 }
            guard bytes[position...].starts(with: Array("\r\n".utf8)) else { throw .malformed("a boundary line must end in CRLF") }
            position += 2
            guard parts.count < maxParts else { throw .tooManyParts }
            guard let headerEnd = firstIndex(of: Array("\r\n\r\n".utf8), in: bytes, from: position - 2, atLineStart: false),
                  headerEnd + 2 - position <= maxHeaderBytes
            else { throw .malformed("a part's headers do not end") }
            let headers = try Self.headers(bytes[position..<max(position, headerEnd)])
            let bodyStart = headerEnd + 4
            guard let bodyEnd = firstIndex(of: separator, in: bytes, from: bodyStart - 2, atLineStart: false) else {
                throw .malformed("a part does not end with a boundary")
            }
            parts.append(Part(headers: headers, body: bytes[bodyStart..<max(bodyStart, bodyEnd)]))
            position = bodyEnd + separator.count
        }
    }

    /// "Name: value" lines; names are RFC 9110 tokens.
    static func headers(_ section: ArraySlice<UInt8>) throws(Failure) -> [String: String] {
        var headers: [String: String] = [:]
        guard !section.isEmpty else { return headers }
        for line in section.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let text = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            guard let colon = text.firstIndex(of: UInt8(ascii: ":")), colon > text.startIndex,
                  text[..<colon].allSatisfy(isTokenByte)
            else { throw .malformed("a part has a malformed header line") }
            let name = String(decoding: text[..<colon], as: UTF8.self).lowercased()
            headers[name] = String(decoding: text[text.index(after: colon)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    /// Where `needle` first occurs in `haystack` at or after `start`; with
    /// `atLineStart`, only at the very start or right after a CRLF.
    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int, atLineStart: Bool) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var index = max(0, start)
        let last = haystack.count - needle.count
        while index <= last {
            guard let found = haystack[index...last].firstIndex(of: first) else { return nil }
            if haystack[found..<(found + needle.count)].elementsEqual(needle),
               !atLineStart || found == 0 || (found >= 2 && haystack[found - 2] == 13 && haystack[found - 1] == 10) {
                return found
            }
            index = found + 1
        }
        return nil
    }
}
