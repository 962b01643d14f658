/// A single-channel 8-bit raster: a gray picture, or a coverage mask where 0 is
/// empty and 255 is fully covered (glyph bitmaps, stroked paths).
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` bytes, top row first.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, fill value: UInt8 = 0) {
        precondition(width >= 0 && height >= 0, "image size must not be negative")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: value, count: width * height)
    }

    public init(width: Int, height: Int, pixels: [UInt8]) throws(RasterError) {
        guard width >= 0, height >= 0, pixels.count == width * height else {
            throw .invalidArgument("\(pixels.count) bytes do not make a \(width)x\(height) gray image")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    @inlinable
    public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// This mask inside an empty border `border` pixels wide (copied row by
    /// row: the captcha renderer pads new glyphs for every picture).
    public func padded(by border: Int) -> GrayImage {
        precondition(border >= 0, "a border must not be negative")
        var out = GrayImage(width: width + 2 * border, height: height + 2 * border)
        let w = width, ow = out.width
        out.pixels.withUnsafeMutableBufferPointer { target in
            pixels.withUnsafeBufferPointer { rows in
                for y in 0..<height {
                    let start = (y + border) * ow + border
                    _ = UnsafeMutableBufferPointer(rebasing: target[start..<(start + w)])
                        .update(fromContentsOf: rows[(y * w)..<((y + 1) * w)])
                }
            }
        }
        return out
    }

    /// The gray picture as RGBA8 (opaque).
    public func rgba() -> Image {
        var image = Image(width: width, height: height)
        image.pixels.withUnsafeMutableBufferPointer { out in
            for (i, v) in pixels.enumerated() {
                out[i * 4] = v
                out[i * 4 + 1] = v
                out[i * 4 + 2] = v
                out[i * 4 + 3] = 255
            }
        }
        return image
    }
}

extension Image {
    /// Rec. 601 luma of each pixel (alpha ignored).
    public func grayscale() -> GrayImage {
        var gray = GrayImage(width: width, height: height)
        pixels.withUnsafeBufferPointer { source in
            gray.pixels.withUnsafeMutableBufferPointer { out in
                for i in 0..<out.count {
                    let r = Int(source[i * 4]), g = Int(source[i * 4 + 1]), b = Int(source[i * 4 + 2])
                    out[i] = UInt8((r * 299 + g * 587 + b * 114 + 500) / 1000)
                }
            }
        }
        return gray
    }
}
