// swift-tools-version: 6.1
// Throughput benchmarks (package-benchmark), kept out of the main package so
// that `make test` does not build the benchmark tooling. Run: `make bench`.
import PackageDescription

let package = Package(
    name: "upare-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "upare", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "RasterBenchmarks",
            dependencies: [
                .product(name: "Raster", package: "upare"),
                .product(name: "CCodecGuard", package: "upare"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "RasterBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "CaptchaBenchmarks",
            dependencies: [
                .product(name: "Captcha", package: "upare"),
                .product(name: "Raster", package: "upare"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "CaptchaBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "DisorderBenchmarks",
            dependencies: [
                .product(name: "Disorder", package: "upare"),
                .product(name: "Raster", package: "upare"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "DisorderBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
