import ArgumentParser
import Captcha
import Foundation
import Raster

/// `upare captcha`: writes labelled captcha files, `<answer>_<n>.<ext>`.
struct CaptchaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "captcha",
        abstract: "Write labelled captcha images (<answer>_<n>.<ext>) to a folder.")

    @Option(help: "How many captchas.")
    var count = 10
    @Option(help: "The folder to write to (created if missing).")
    var out: String
    @Option(help: "png, jpg or bmp.")
    var type = OutputFormat(.png)
    @Option(help: "Make the run reproducible: captcha n uses seed + n.")
    var seed: UInt64?
    @Flag(help: "Draw the text plainly, without any distortion (the OCR baseline).")
    var plain = false
    @Flag(help: "Report on standard output as JSON: each file with its answer.")
    var json = false
    @OptionGroup var captcha: CaptchaOptionGroup

    func validate() throws {
        guard (1...10_000_000).contains(count) else { throw ValidationError("--count must be 1...10000000") }
    }

    func run() throws {
        do {
            let fonts = try FontLibrary.standard()
            let renderer = try captcha.renderer(fonts: fonts)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let progress = ProgressBar(total: count, label: "captchas", enabled: !json)
            var written: [[String: String]] = []
            for n in 0..<count {
                var random = seed.map { CaptchaRandom(seed: $0 &+ UInt64(n)) } ?? CaptchaRandom()
                let challenge = renderer.challenges.make(using: &random)
                let picture = plain ? renderer.renderPlain(challenge) : renderer.render(challenge, using: &random)
                let image = try picture.encoded(as: type.format)
                // Math answers are numbers; the label is the answer a person types.
                let path = (out as NSString).appendingPathComponent("\(challenge.answer)_\(n).\(type.format.fileExtension)")
                try RasterFile.write(image.bytes, to: path)
                if json { written.append(["path": path, "answer": challenge.answer]) }
                progress.advance()
            }
            progress.finish()
            if json {
                let report: [String: Any] = ["count": count, "folder": out, "fonts": fonts.folder, "files": written]
                let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .withoutEscapingSlashes])
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("upare: \(error)\n".utf8))
            throw UpareExit.nothingDone
        }
    }
}
