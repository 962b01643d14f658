import Foundation
import Voices

/// The languages the audio captcha speaks.
public enum CaptchaLanguage: String, Sendable, CaseIterable {
    case english = "en"
    case mandarin = "zh"
}

/// The spoken clips of the audio captcha (upare's `voices/`), per language
/// and name: each character, the numbers that compose 0...99, the words of a
/// math question. Loaded once, shared.
public final class VoiceLibrary: Sendable {
    /// Samples per second of every clip.
    public let rate: Int
    private let clips: [CaptchaLanguage: [String: [Int16]]]
    /// Every clip per language, in a fixed order: what the babble is made of.
    private let pools: [CaptchaLanguage: [[Int16]]]

    /// Loads `folder/<language>/<name>.wav`; every clip must share one rate.
    public init(folder: String) throws(CaptchaError) {
        var clips: [CaptchaLanguage: [String: [Int16]]] = [:]
        var rate: Int?
        for language in CaptchaLanguage.allCases {
            let path = (folder as NSString).appendingPathComponent(language.rawValue)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                throw .voice("no \(language.rawValue) voice clips in \(folder)")
            }
            for name in names where name.hasSuffix(".wav") {
                guard let data = FileManager.default.contents(atPath: (path as NSString).appendingPathComponent(name)),
                      let clip = WAV.decode([UInt8](data)), rate == nil || rate == clip.rate
                else { throw .voice("\(path)/\(name) is not a 16-bit mono WAV at the clips' rate") }
                rate = clip.rate
                clips[language, default: [:]][String(name.dropLast(4))] = clip.samples
            }
        }
        guard let rate else { throw .voice("no voice clips in \(folder)") }
        self.rate = rate
        self.clips = clips
        pools = clips.mapValues { table in table.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// The clips in `UPARE_VOICES`, else the ones shipped with upare.
    public static func standard() throws(CaptchaError) -> VoiceLibrary {
        if let configured = ProcessInfo.processInfo.environment["UPARE_VOICES"], !configured.isEmpty {
            return try VoiceLibrary(folder: configured)
        }
        guard let folder = BundledVoices.folder else {
            throw .voice("no voice clips found; set UPARE_VOICES (looked in \(BundledVoices.candidates.joined(separator: ", ")))")
        }
        return try VoiceLibrary(folder: folder)
    }

    /// The clip `name` of `language`.
    public func clip(_ name: String, _ language: CaptchaLanguage) -> [Int16]? { clips[language]?[name] }

    /// Every clip of `language` (the babble is made of them).
    func all(_ language: CaptchaLanguage) -> [[Int16]] { pools[language] ?? [] }
}
