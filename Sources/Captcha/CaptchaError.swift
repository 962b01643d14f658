public import Raster

/// Why a captcha could not be made or checked. Never carries an answer.
public enum CaptchaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option is outside its range; the message names the option and the range.
    case invalidOption(String)
    /// A font is missing, unreadable or lacks a glyph the challenge needs.
    case font(String)
    /// The audio captcha's clips are missing or unreadable.
    case voice(String)
    /// The store could not save or read a challenge.
    case store(String)
    /// Drawing or encoding failed.
    case raster(RasterError)

    public var description: String {
        switch self {
        case .invalidOption(let message): return "invalid captcha option: \(message)"
        case .font(let message): return "captcha font: \(message)"
        case .voice(let message): return "captcha voices: \(message)"
        case .store(let message): return "captcha store: \(message)"
        case .raster(let error): return "captcha image: \(error)"
        }
    }
}
