import ArgumentParser
import Foundation
import Server

/// `upare endpoints`: the endpoint table, who may call each endpoint and how often.
struct EndpointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoints",
        abstract: "List every HTTP endpoint: methods, who may call it, body, rate bucket.",
        discussion: "`upare endpoints --markdown > docs/api.md` writes the API reference.")

    @Flag(help: "The full reference as Markdown (docs/api.md).")
    var markdown = false
    @Flag(help: "The OpenAPI 3.1 document, as served at /openapi.json.")
    var openapi = false

    func run() {
        if openapi {
            FileHandle.standardOutput.write(Data(OpenAPIDocument.json) + Data("\n".utf8))
            return
        }
        if markdown {
            print(EndpointReference.markdown(), terminator: "")
            return
        }
        let rows = EndpointTable.all.map { endpoint in
            [endpoint.name, endpoint.methods.map { $0.uppercased() }.joined(separator: ","), endpoint.access.description,
             endpoint.body == .upload ? "upload" : "form", endpoint.rate.rawValue]
        }
        let header = ["ENDPOINT", "METHODS", "WHO MAY CALL", "BODY", "RATE"]
        let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
