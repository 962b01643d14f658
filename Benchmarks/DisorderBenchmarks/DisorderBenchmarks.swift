import Benchmark
import Disorder
import Foundation
import Raster

// Disorder on a 12-megapixel photo-like picture. The JPEG benchmark has a twin
// that runs Debian's jpegtran (-copy all -rotate 180) on the same file, the
// natural limit for lossless coefficient-domain work; `upare bench disorder`
// prints the same comparison as a ratio.

let photo = Image.photoLike(width: 4000, height: 3000)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .peakMemoryResident], warmupIterations: 1, maxDuration: .seconds(8),
        maxIterations: 20)
    let key = DisorderKey()

    Benchmark("JPEG 12MP scramble (DCT domain)", configuration: configuration) { benchmark in
        let jpeg = try JPEG.encode(photo, options: JPEG.EncodeOptions(quality: 85))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try Disorder.scramble(jpeg, key: key)) }
    }
    Benchmark("JPEG 12MP jpegtran -copy all -rotate 180 (baseline)", configuration: configuration) { benchmark in
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("upare-bench-photo.jpg").path
        try RasterFile.write(try JPEG.encode(photo, options: JPEG.EncodeOptions(quality: 85)), to: path)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/jpegtran")
            process.arguments = ["-copy", "all", "-rotate", "180", "-outfile", path + ".out", path]
            try process.run()
            process.waitUntilExit()
        }
    }
    Benchmark("PNG 12MP permute in place (rotate/mirror on)", configuration: configuration) { benchmark in
        var image = photo
        image[0, 0] = .black  // own the pixels before timing
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(Disorder.scramblePixels(&image, key: key)) }
    }
    Benchmark("PNG 12MP decode", configuration: configuration) { benchmark in
        let png = try PNG.encode(photo, layout: .rgb)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try PNG.decode(png)) }
    }
}
