import Foundation

/// What a benchmark says: lines for people as it goes, or (`--json`) one JSON
/// object at the end with every figure under a stable name, for machines.
final class BenchReport {
    private let json: Bool
    private var values: [String: Any] = [:]

    init(json: Bool) { self.json = json }

    /// Prints `text` (unless JSON) and keeps `figures`.
    func say(_ text: String, _ figures: [String: Any] = [:]) {
        if !json { print(text) }
        values.merge(figures) { $1 }
    }

    /// The JSON object, when asked for.
    func finish() throws {
        guard json else { return }
        let data = try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
