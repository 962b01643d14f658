import Benchmark
import Captcha
import Foundation
import Raster

// Captcha throughput at the defaults (160x60, 4 glyphs, curves and clutter on),
// per image format, and the rendering alone. `upare bench captcha` reports the
// same on one core and on all cores.

let bytesMetric = BenchmarkMetric.custom("bytes", polarity: .prefersSmaller, useScalingFactor: false)

let fontFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("fonts").path

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident, bytesMetric],
        warmupIterations: 50, scalingFactor: .kilo, maxDuration: .seconds(3))
    let renderer: CaptchaRenderer
    do {
        renderer = try CaptchaRenderer(options: CaptchaOptions(), fonts: FontLibrary(folder: fontFolder))
    } catch {
        fatalError("captcha benchmark set-up: \(error)")
    }

    for format in ImageFormat.allCases {
        Benchmark("Captcha 160x60 \(format.rawValue): render + encode", configuration: configuration) { benchmark in
            var random = CaptchaRandom(seed: 1)
            var size = 0
            for _ in benchmark.scaledIterations {
                let challenge = renderer.challenges.make(using: &random)
                size = try renderer.render(challenge, using: &random).encoded(as: format).bytes.count
            }
            benchmark.measurement(bytesMetric, size)
        }
    }
    Benchmark("Captcha 160x60: render only", configuration: configuration) { benchmark in
        var random = CaptchaRandom(seed: 1)
        for _ in benchmark.scaledIterations {
            let challenge = renderer.challenges.make(using: &random)
            blackHole(renderer.render(challenge, using: &random))
        }
    }
    Benchmark("Captcha generate + verify (memory store)", configuration: configuration) { benchmark in
        let captcha = try Captcha(fonts: FontLibrary(folder: fontFolder))
        let key = try CaptchaKey(client: "bench")
        for _ in benchmark.scaledIterations {
            blackHole(try await captcha.generate(for: key))
            blackHole(try await captcha.verify("WRONG", for: key))
        }
    }
}
