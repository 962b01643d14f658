import Foundation
public import Raster

/// A rendered captcha before encoding: a palette picture normally, RGBA when
/// drawn over a background photo.
public enum CaptchaPicture: Sendable, Equatable {
    case indexed(IndexedImage)
    case rgba(Image)

    public var width: Int {
        switch self {
        case .indexed(let image): return image.width
        case .rgba(let image): return image.width
        }
    }

    public var height: Int {
        switch self {
        case .indexed(let image): return image.height
        case .rgba(let image): return image.height
        }
    }

    public var rgba: Image {
        switch self {
        case .indexed(let image): return image.rgba()
        case .rgba(let image): return image
        }
    }

    /// PNG (4-bit palette when it is one, fast zlib settings chosen by measurement),
    /// JPEG (quality 85, full-resolution chroma so thin strokes keep their colour)
    /// or 24-bit BMP.
    public func encoded(as format: ImageFormat) throws(CaptchaError) -> CaptchaImage {
        do {
            let bytes: [UInt8]
            switch (format, self) {
            case (.png, .indexed(let image)): bytes = try PNG.encode(image, options: .fast)
            case (.png, .rgba(let image)): bytes = try PNG.encode(image, layout: .rgb, options: .fast)
            case (.jpeg, _): bytes = try JPEG.encode(rgba, options: JPEG.EncodeOptions(quality: 85, subsampling: .none444))
            case (.bmp, _): bytes = try BMP.encode(rgba, depth: .rgb24)
            }
            return CaptchaImage(bytes: bytes, format: format)
        } catch {
            throw .raster(error)
        }
    }
}

/// An encoded captcha picture, ready to send.
public struct CaptchaImage: Sendable, Equatable {
    public let bytes: [UInt8]
    public let format: ImageFormat

    public var mimeType: String { format.mimeType }

    /// `data:image/png;base64,...`, for JSON APIs and `<img src>`.
    public var dataURI: String { "data:\(format.mimeType);base64,\(Data(bytes).base64EncodedString())" }
}
