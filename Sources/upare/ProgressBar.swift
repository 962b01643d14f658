import Foundation

/// A one-line progress bar on standard error, drawn only when it is a terminal
/// and the job is large enough to need one.
final class ProgressBar {
    private let total: Int
    private let label: String
    private let enabled: Bool
    private var done = 0
    private var lastDrawn = Date.distantPast

    /// `enabled: false` keeps it quiet whatever the terminal (machine-read output).
    init(total: Int, label: String, enabled wanted: Bool = true) {
        self.total = total
        self.label = label
        enabled = wanted && total >= 200 && isatty(STDERR_FILENO) != 0
    }

    func advance(by count: Int = 1) {
        done += count
        guard enabled, Date().timeIntervalSince(lastDrawn) > 0.1 else { return }
        lastDrawn = Date()
        draw()
    }

    func finish() {
        guard enabled else { return }
        draw()
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw() {
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) \(label)".utf8))
    }
}
