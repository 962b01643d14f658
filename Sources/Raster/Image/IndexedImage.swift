/// A palette image: one index byte per pixel into up to 256 RGBA colours. The
/// captcha renderer draws into this form because an 8-bit palette PNG is several
/// times smaller and faster to compress than RGB.
public struct IndexedImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var palette: [RGBA]
    /// `width * height` palette indices, top row first.
    public var indices: [UInt8]

    public init(width: Int, height: Int, palette: [RGBA], fill index: UInt8 = 0) throws(RasterError) {
        guard width >= 0, height >= 0 else { throw .invalidArgument("negative image size") }
        guard (1...256).contains(palette.count), Int(index) < palette.count else {
            throw .invalidArgument("a palette holds 1 to 256 colours and the fill index must be in it")
        }
        self.width = width
        self.height = height
        self.palette = palette
        indices = [UInt8](repeating: index, count: width * height)
    }

    public init(width: Int, height: Int, palette: [RGBA], indices: [UInt8]) throws(RasterError) {
        guard width >= 0, height >= 0, indices.count == width * height else {
            throw .invalidArgument("\(indices.count) indices do not make a \(width)x\(height) image")
        }
        guard (1...256).contains(palette.count) else {
            throw .invalidArgument("a palette holds 1 to 256 colours")
        }
        if let top = indices.max(), Int(top) >= palette.count {
            throw .invalidArgument("an index points past the end of the palette")
        }
        self.width = width
        self.height = height
        self.palette = palette
        self.indices = indices
    }

    /// The image with each index replaced by its colour.
    public func rgba() -> Image {
        var image = Image(width: width, height: height)
        let table = palette + [RGBA](repeating: .transparent, count: 256 - palette.count)
        image.pixels.withUnsafeMutableBufferPointer { out in
            for (i, index) in indices.enumerated() {
                let c = table[Int(index)]
                out[i * 4] = c.r
                out[i * 4 + 1] = c.g
                out[i * 4 + 2] = c.b
                out[i * 4 + 3] = c.a
            }
        }
        return image
    }
}

extension Image {
    /// The image as a palette image when it has at most `maximumColors` distinct
    /// colours, else nil. Exact: no colour is approximated.
    public func indexed(maximumColors: Int = 256) -> IndexedImage? {
        var palette: [RGBA] = []
        var lookup: [UInt32: UInt8] = [:]
        var indices = [UInt8](repeating: 0, count: width * height)
        var last: UInt32 = 0
        var lastIndex: UInt8 = 0
        var haveLast = false
        let limit = min(maximumColors, 256)
        let complete = pixels.withUnsafeBufferPointer { source -> Bool in
            for i in 0..<(width * height) {
                let key = UInt32(source[i * 4]) << 24 | UInt32(source[i * 4 + 1]) << 16
                    | UInt32(source[i * 4 + 2]) << 8 | UInt32(source[i * 4 + 3])
                if haveLast && key == last {
                    indices[i] = lastIndex
                    continue
                }
                let index: UInt8
                if let known = lookup[key] {
                    index = known
                } else {
                    guard palette.count < limit else { return false }
                    index = UInt8(palette.count)
                    lookup[key] = index
                    palette.append(
                        RGBA(UInt8(key >> 24), UInt8((key >> 16) & 0xFF), UInt8((key >> 8) & 0xFF),
                             UInt8(key & 0xFF)))
                }
                indices[i] = index
                last = key
                lastIndex = index
                haveLast = true
            }
            return true
        }
        guard complete else { return nil }
        if palette.isEmpty { palette = [.transparent] }
        return try? IndexedImage(width: width, height: height, palette: palette, indices: indices)
    }
}

extension IndexedImage {
    /// A coverage mask drawn as `levels` steps from `background` (coverage 0)
    /// to `ink` (coverage 255): the cheapest exact picture of one-colour artwork.
    public init(coverage: GrayImage, background: RGBA, ink: RGBA, levels: Int = 16) throws(RasterError) {
        guard (2...256).contains(levels) else { throw .invalidArgument("levels must be 2...256") }
        width = coverage.width
        height = coverage.height
        palette = (0..<levels).map { background.mixed(with: ink, by: ($0 * 255 + (levels - 1) / 2) / (levels - 1)) }
        // Coverage to the nearest level, by table.
        var table = [UInt8](repeating: 0, count: 256)
        for value in 0..<256 { table[value] = UInt8((value * (levels - 1) + 127) / 255) }
        indices = [UInt8](unsafeUninitializedCapacity: coverage.pixels.count) { out, count in
            table.withUnsafeBufferPointer { t in
                coverage.pixels.withUnsafeBufferPointer { c in
                    for i in 0..<c.count { out[i] = t[Int(c[i])] }
                }
            }
            count = coverage.pixels.count
        }
    }
}
