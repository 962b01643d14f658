import Foundation
import Disorder
import Raster

// libFuzzer harness. SwiftPM gives an executable the entry point
// `DecoderFuzzer_main`, so instead of libFuzzer's own main this links
// libFuzzer without main and starts its driver here.

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

let fuzzKey = (try? DisorderKey(bytes: Array(0..<32))) ?? DisorderKey()

/// Every input must decode or throw RasterError, within small limits so that the
/// fuzzer explores structure rather than allocation.
func fuzzDecoders(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { [UInt8](UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let limits = DecodeLimits(maxWidth: 4096, maxHeight: 4096, maxPixels: 4_000_000)
    _ = try? Image.decode(bytes, limits: limits)
    _ = try? PNG.decode(bytes, limits: limits)
    _ = try? JPEG.decode(bytes, limits: limits)
    _ = try? BMP.decode(bytes, limits: limits)
    // Uploads to the disorder endpoint: header parsing and unscrambling.
    var options = DisorderOptions()
    options.limits = limits
    _ = try? Disorder.header(in: bytes)
    _ = try? Disorder.unscramble(bytes, key: fuzzKey, limits: limits)
    return 0
}

@main
struct DecoderFuzzer {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in fuzzDecoders(data, size) })
    }
}
