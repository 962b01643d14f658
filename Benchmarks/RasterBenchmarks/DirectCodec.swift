import Benchmark
import CCodecGuard
import Raster

/// The C codec functions called with prepared buffers: the baseline that the
/// Swift wrappers are compared with. Returns the encoded size where there is one.
enum DirectCodec {
    static func pngPalette(_ image: IndexedImage, iterations: Range<Int>) -> Int {
        let rgb = image.palette.flatMap { [$0.r, $0.g, $0.b] }
        var size = 0
        rgb.withUnsafeBufferPointer { palette in
            image.indices.withUnsafeBufferPointer { pixels in
                var params = upare_png_encode_params(
                    width: UInt32(image.width), height: UInt32(image.height), layout: UPARE_PNG_PALETTE,
                    bit_depth: 4, compression_level: 1, filters: 0x08, strategy: 0,
                    palette: palette.baseAddress, palette_count: Int32(image.palette.count),
                    palette_alpha: nil, alpha_count: 0)
                var error = [CChar](repeating: 0, count: 200)
                for _ in iterations {
                    var out = upare_buffer()
                    _ = upare_png_encode(&params, pixels.baseAddress, image.width, &out, &error)
                    size = out.size
                    upare_buffer_free(&out)
                }
            }
        }
        return size
    }

    static func pngRGBA(_ image: Image, iterations: Range<Int>) -> Int {
        var size = 0
        image.pixels.withUnsafeBufferPointer { pixels in
            var params = upare_png_encode_params(
                width: UInt32(image.width), height: UInt32(image.height), layout: UPARE_PNG_RGBA,
                bit_depth: 8, compression_level: 1, filters: 0x08, strategy: 0,
                palette: nil, palette_count: 0, palette_alpha: nil, alpha_count: 0)
            var error = [CChar](repeating: 0, count: 200)
            for _ in iterations {
                var out = upare_buffer()
                _ = upare_png_encode(&params, pixels.baseAddress, image.width * 4, &out, &error)
                size = out.size
                upare_buffer_free(&out)
            }
        }
        return size
    }

    static func jpeg(_ image: Image, quality: Int32, subsampling: Int32, iterations: Range<Int>) -> Int {
        var size = 0
        image.pixels.withUnsafeBufferPointer { pixels in
            var params = upare_jpeg_encode_params(
                width: UInt32(image.width), height: UInt32(image.height), components: 4,
                quality: quality, subsampling: subsampling, progressive: 0, optimize_coding: 0)
            var error = [CChar](repeating: 0, count: 200)
            for _ in iterations {
                var out = upare_buffer()
                _ = upare_jpeg_encode(&params, pixels.baseAddress, image.width * 4, &out, &error)
                size = out.size
                upare_buffer_free(&out)
            }
        }
        return size
    }

    static let limits = upare_decode_limits(max_width: 20_000, max_height: 20_000, max_pixels: 50_000_000)

    static func pngDecode(_ bytes: [UInt8], iterations: Range<Int>) {
        var pixels = [UInt8](repeating: 0, count: 4000 * 3000 * 4)
        bytes.withUnsafeBufferPointer { input in
            pixels.withUnsafeMutableBufferPointer { out in
                for _ in iterations {
                    let decoder = upare_png_decoder_create(input.baseAddress, input.count)
                    var header = upare_png_header()
                    if upare_png_read_header(decoder, limits, &header) == 0 {
                        _ = upare_png_read_rgba(decoder, out.baseAddress, Int(header.width) * 4)
                    }
                    upare_png_decoder_destroy(decoder)
                }
            }
        }
        blackHole(pixels)
    }

    static func jpegDecode(_ bytes: [UInt8], iterations: Range<Int>) {
        var pixels = [UInt8](repeating: 0, count: 4000 * 3000 * 4)
        bytes.withUnsafeBufferPointer { input in
            pixels.withUnsafeMutableBufferPointer { out in
                for _ in iterations {
                    let decoder = upare_jpeg_decoder_create(input.baseAddress, input.count)
                    var header = upare_jpeg_header()
                    if upare_jpeg_read_header(decoder, limits, &header) == 0 {
                        _ = upare_jpeg_read_rgba(decoder, out.baseAddress, Int(header.width) * 4)
                    }
                    upare_jpeg_decoder_destroy(decoder)
                }
            }
        }
        blackHole(pixels)
    }
}
