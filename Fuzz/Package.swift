// swift-tools-version: 6.1
// libFuzzer harnesses for the decoders and the disorder header/unscramble path, and for request parsing, kept out of the main package. Run: scripts/fuzz.
import PackageDescription

let package = Package(
    name: "upare-fuzz",
    dependencies: [.package(name: "upare", path: "..")],
    targets: [
        .executableTarget(
            name: "DecoderFuzzer",
            dependencies: [.product(name: "Raster", package: "upare"), .product(name: "Disorder", package: "upare")],
            path: "DecoderFuzzer"),
        .executableTarget(
            name: "RequestFuzzer",
            dependencies: [.product(name: "Server", package: "upare")],
            path: "RequestFuzzer"),
    ]
)
