public import Raster

/// Why a picture could not be scrambled or unscrambled.
public enum DisorderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The key does not match the one the picture was scrambled with.
    case wrongKey
    /// The file carries no upare disorder header.
    case notScrambled
    /// The file is already scrambled; scrambling twice is refused.
    case alreadyScrambled
    /// The header is damaged or from an unknown version.
    case badHeader(String)
    /// The key text is not a key.
    case invalidKey(String)
    /// An option is out of range or does not fit the picture.
    case invalidOption(String)
    /// The picture itself could not be read or written.
    case raster(RasterError)

    public var description: String {
        switch self {
        case .wrongKey: return "wrong key: this picture was scrambled with another key"
        case .notScrambled: return "not a scrambled picture (no upare disorder header)"
        case .alreadyScrambled: return "the picture is already scrambled"
        case .badHeader(let message): return "damaged disorder header: \(message)"
        case .invalidKey(let message): return "invalid key: \(message)"
        case .invalidOption(let message): return "invalid option: \(message)"
        case .raster(let error): return "\(error)"
        }
    }
}
