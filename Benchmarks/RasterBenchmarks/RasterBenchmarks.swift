import Benchmark
import CCodecGuard
import Raster

// Each Swift codec call is paired with the same work done by calling the C codec
// functions directly (prepared buffers, no Swift wrapper), so that the wrapper's
// cost reads as a ratio measured in the same process. Results: `make bench`.

let bytesMetric = BenchmarkMetric.custom("bytes", polarity: .prefersSmaller, useScalingFactor: false)

/// libpng + zlib at level 1, no filter: the settings the C-direct twins use.
let zlibFast = PNG.EncodeOptions(compressionLevel: 1, filter: .none, compressor: .zlib)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 3, maxDuration: .seconds(2), maxIterations: 100_000)
    let small = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal, bytesMetric],
        scalingFactor: .kilo, maxDuration: .seconds(3))
    let large = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .peakMemoryResident, bytesMetric],
        warmupIterations: 1, maxDuration: .seconds(6), maxIterations: 12)

    // MARK: 160x60 captcha-sized images

    Benchmark("PNG encode 160x60 palette, zlib level 1", configuration: small) { benchmark in
        var size = 0
        for _ in benchmark.scaledIterations { size = try PNG.encode(Inputs.captchaIndexed, options: zlibFast).count }
        benchmark.measurement(bytesMetric, size)
    }
    Benchmark("PNG encode 160x60 palette, libdeflate level 1 (.fast)", configuration: small) { benchmark in
        var size = 0
        for _ in benchmark.scaledIterations { size = try PNG.encode(Inputs.captchaIndexed, options: .fast).count }
        benchmark.measurement(bytesMetric, size)
    }
    Benchmark("PNG encode 160x60 palette, zlib level 1, C direct", configuration: small) { benchmark in
        benchmark.measurement(bytesMetric, DirectCodec.pngPalette(Inputs.captchaIndexed, iterations: benchmark.scaledIterations))
    }
    Benchmark("PNG encode 160x60 RGB, libdeflate level 1 (.fast)", configuration: small) { benchmark in
        var size = 0
        for _ in benchmark.scaledIterations { size = try PNG.encode(Inputs.captchaRGBA, layout: .rgb, options: .fast).count }
        benchmark.measurement(bytesMetric, size)
    }
    Benchmark("PNG encode 160x60 RGB, default settings", configuration: small) { benchmark in
        var size = 0
        for _ in benchmark.scaledIterations { size = try PNG.encode(Inputs.captchaRGBA, layout: .rgb).count }
        benchmark.measurement(bytesMetric, size)
    }
    Benchmark("JPEG encode 160x60 q80 4:4:4", configuration: small) { benchmark in
        var size = 0
        let options = JPEG.EncodeOptions(quality: 80, subsampling: .none444)
        for _ in benchmark.scaledIterations { size = try JPEG.encode(Inputs.captchaRGBA, options: options).count }
        benchmark.measurement(bytesMetric, size)
    }
    Benchmark("JPEG encode 160x60 q80 4:4:4, C direct", configuration: small) { benchmark in
        benchmark.measurement(bytesMetric, DirectCodec.jpeg(Inputs.captchaRGBA, quality: 80, subsampling: 444, iterations: benchmark.scaledIterations))
    }
    Benchmark("Glyphs: 4 transformed glyphs into 160x60, warm cache", configuration: small) { benchmark in
        let face = Inputs.face
        var image = Image(width: 160, height: 60, fill: .white)
        for _ in benchmark.scaledIterations {
            var x = 20.0
            for (i, scalar) in "K7pW".unicodeScalars.enumerated() {
                let glyph = try face.glyph(for: scalar, pixelSize: 36)
                image.draw(glyph, at: Point(x, 46), transform: .rotation(i % 2 == 0 ? -0.2 : 0.25).concatenating(.shear(x: -0.1)), color: .black)
                x += glyph.advance * 0.85
            }
        }
        blackHole(image)
    }

    // MARK: 12-megapixel photo

    Benchmark("PNG decode 12MP, libpng", configuration: large) { benchmark in
        let bytes = Inputs.photoPNG
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try PNG.decodeWithLibpng(bytes)) }
        benchmark.measurement(bytesMetric, bytes.count)
    }
    // The direct reader (libdeflate inflate, own unfiltering) that PNG.decode takes.
    Benchmark("PNG decode 12MP, direct reader", configuration: large) { benchmark in
        let bytes = Inputs.photoPNG
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try PNG.decode(bytes)) }
        benchmark.measurement(bytesMetric, bytes.count)
    }
    Benchmark("PNG decode 12MP, C direct", configuration: large) { benchmark in
        let bytes = Inputs.photoPNG
        benchmark.startMeasurement()
        DirectCodec.pngDecode(bytes, iterations: benchmark.scaledIterations)
        benchmark.measurement(bytesMetric, bytes.count)
    }
    Benchmark("PNG encode 12MP RGB, libdeflate level 1 (.fast)", configuration: large) { benchmark in
        let photo = Inputs.photo
        benchmark.startMeasurement()
        var size = 0
        for _ in benchmark.scaledIterations { size = try PNG.encode(photo, layout: .rgb, options: .fast).count }
        benchmark.measurement(bytesMetric, size)
    }
    for compression in PNG.Compression.allCases where compression != .best {
        for threads in [1, 2] {
            Benchmark("PNG encode 12MP RGB, \(compression) (PNG.Compression), \(threads) thread\(threads == 1 ? "" : "s")",
                      configuration: large) { benchmark in
                let photo = Inputs.photo
                benchmark.startMeasurement()
                var size = 0
                for _ in benchmark.scaledIterations { size = try PNG.encode(photo, layout: .rgb, compression: compression, threads: threads).count }
                benchmark.measurement(bytesMetric, size)
            }
        }
    }
    Benchmark("PNG encode 12MP RGBA, zlib level 1, C direct", configuration: large) { benchmark in
        let photo = Inputs.photo
        benchmark.startMeasurement()
        benchmark.measurement(bytesMetric, DirectCodec.pngRGBA(photo, iterations: benchmark.scaledIterations))
    }
    Benchmark("PNG encode 12MP RGBA, zlib level 1", configuration: large) { benchmark in
        let photo = Inputs.photo
        benchmark.startMeasurement()
        var size = 0
        for _ in benchmark.scaledIterations { size = try PNG.encode(photo, layout: .rgba, options: zlibFast).count }
        benchmark.measurement(bytesMetric, size)
    }
    Benchmark("JPEG decode 12MP", configuration: large) { benchmark in
        let bytes = Inputs.photoJPEG
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try JPEG.decode(bytes)) }
        benchmark.measurement(bytesMetric, bytes.count)
    }
    Benchmark("JPEG decode 12MP, C direct", configuration: large) { benchmark in
        let bytes = Inputs.photoJPEG
        benchmark.startMeasurement()
        DirectCodec.jpegDecode(bytes, iterations: benchmark.scaledIterations)
        benchmark.measurement(bytesMetric, bytes.count)
    }
    Benchmark("JPEG encode 12MP q85 4:2:0", configuration: large) { benchmark in
        let photo = Inputs.photo
        benchmark.startMeasurement()
        var size = 0
        for _ in benchmark.scaledIterations { size = try JPEG.encode(photo, options: JPEG.EncodeOptions(quality: 85)).count }
        benchmark.measurement(bytesMetric, size)
    }
    Benchmark("JPEG encode 12MP q85 4:2:0, C direct", configuration: large) { benchmark in
        let photo = Inputs.photo
        benchmark.startMeasurement()
        benchmark.measurement(bytesMetric, DirectCodec.jpeg(photo, quality: 85, subsampling: 420, iterations: benchmark.scaledIterations))
    }
}
