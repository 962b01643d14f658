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
    @Option(help: "Write the spoken captcha instead of the picture, as <answer>_<n>.wav: en or zh (with --plain: the clips alone).")
    var audio: String?
    @OptionGroup var captcha: CaptchaOptionGroup

    func validate() throws {
        guard (1...10_000_000).contains(count) else { throw ValidationError("--count must be 1...10000000") }
        if let audio, CaptchaLanguage(rawValue: audio) == nil { throw ValidationError("--audio must be en or zh") }
    }

    func run() throws {
        do {
            let fonts = try FontLibrary.standard()
            let language = audio.flatMap(CaptchaLanguage.init(rawValue:))
            let voices = language == nil ? nil : try VoiceLibrary.standard()
            let renderer = try captcha.renderer(fonts: fonts)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let progress = ProgressBar(total: count, label: "captchas", enabled: !json)
            var written: [[String: String]] = []
            for n in 0..<count {
                var random = seed.map { CaptchaRandom(seed: $0 &+ UInt64(n)) } ?? CaptchaRandom()
                let challenge = renderer.challenges.make(using: &random)
                // Math answers are numbers; the label is the answer a person types.
                let path: String
                if let language {
                    let mixer = AudioMixer(voices: try voices ?? VoiceLibrary.standard())
                    let names = try SpokenChallenge.clips(for: challenge.text, language: language)
                    path = (out as NSString).appendingPathComponent("\(challenge.answer)_\(n).wav")
                    try RasterFile.write(plain ? mixer.plain(names, language: language) : mixer.mix(names, language: language, using: &random), to: path)
                } else {
                    let picture = plain ? renderer.renderPlain(challenge) : renderer.render(challenge, using: &random)
                    let image = try picture.encoded(as: type.format)
                    path = (out as NSString).appendingPathComponent("\(challenge.answer)_\(n).\(type.format.fileExtension)")
                    try RasterFile.write(image.bytes, to: path)
                }
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
