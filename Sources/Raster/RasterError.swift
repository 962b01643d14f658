/// The one error type of the raster core: every decoder, encoder and file helper
/// throws only this.
public enum RasterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not a format upare reads, or a feature of the format is not
    /// supported (CMYK JPEG, RLE BMP...).
    case unsupportedFormat(String)
    /// The data claims to be a known format but is damaged; the message is the
    /// codec library's own where it has one.
    case corruptData(format: String, message: String)
    /// The header asks for more pixels than the decoder limits allow, or a
    /// parameter is out of its range.
    case limitsExceeded(String)
    /// Reading or writing a file failed.
    case io(String)
    /// An argument given to a raster operation is not usable.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unsupportedFormat(let message): return "unsupported format: \(message)"
        case .corruptData(let format, let message): return "corrupt \(format) data: \(message)"
        case .limitsExceeded(let message): return "limits exceeded: \(message)"
        case .io(let message): return "I/O error: \(message)"
        case .invalidArgument(let message): return "invalid argument: \(message)"
        }
    }
}
