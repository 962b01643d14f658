/// How large an image a decoder accepts. Checked against the header before any
/// pixel memory is allocated, so a 100000 x 100000 header costs nothing.
public struct DecodeLimits: Hashable, Sendable {
    public var maxWidth: Int
    public var maxHeight: Int
    public var maxPixels: Int

    public init(maxWidth: Int = 20_000, maxHeight: Int = 20_000, maxPixels: Int = 50_000_000) {
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        self.maxPixels = maxPixels
    }

    /// 20000 on a side and 50 megapixels.
    public static let `default` = DecodeLimits()

    /// Throws `.limitsExceeded` unless width x height fits.
    public func check(width: Int, height: Int, format: String) throws(RasterError) {
        guard width <= maxWidth, height <= maxHeight else {
            throw .limitsExceeded(
                "\(format) is \(width)x\(height); the limit is \(maxWidth)x\(maxHeight)")
        }
        guard width.multipliedReportingOverflow(by: height).partialValue <= maxPixels else {
            throw .limitsExceeded("\(format) has \(width * height) pixels; the limit is \(maxPixels)")
        }
    }
}
