/// The file formats upare reads and writes, recognised by their magic bytes.
public enum ImageFormat: String, CaseIterable, Sendable {
    case png
    case jpeg
    case bmp

    /// The format whose signature starts `bytes`, or nil. File names are never trusted.
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: [0x42, 0x4D]) { return .bmp }  // "BM"
        return nil
    }

    /// The format an output file name asks for, by its extension.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg", "jpe", "jfif": self = .jpeg
        case "bmp", "dib": self = .bmp
        default: return nil
        }
    }

    public var fileExtension: String {
        switch self {
        case .png: return "png"
        case .jpeg: return "jpg"
        case .bmp: return "bmp"
        }
    }

    public var mimeType: String {
        switch self {
        case .png: return "image/png"
        case .jpeg: return "image/jpeg"
        case .bmp: return "image/bmp"
        }
    }
}
