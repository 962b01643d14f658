import Foundation
import Server

// libFuzzer harness for what the server parses from a request before any
// handler runs: query strings and form, JSON and multipart bodies, client
// addresses. Every input must parse or throw; nothing may crash or hang.

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

let contentTypes = [
    "application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=b",
    "multipart/form-data; boundary=\"--x\"", "", "multipart/form-data",
]

/// The first byte picks a content type; up to the first newline is the query; the rest is the body.
func fuzzRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { [UInt8](UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let first = bytes.first else { return 0 }
    let rest = bytes.dropFirst()
    let newline = rest.firstIndex(of: 10) ?? rest.endIndex
    let query = String(decoding: rest[..<newline], as: UTF8.self)
    let body = Array(rest[newline...].dropFirst())
    _ = try? Parameters.parse(query: query, contentType: contentTypes[Int(first) % contentTypes.count], body: body)
    _ = ClientAddress.subject(query)
    return 0
}

@main
struct RequestFuzzer {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in fuzzRequest(data, size) })
    }
}
