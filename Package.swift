// swift-tools-version: 6.1
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "upare",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Raster", targets: ["Raster"]),
        .library(name: "Captcha", targets: ["Captcha"]),
        .library(name: "Disorder", targets: ["Disorder"]),
        .library(name: "Server", targets: ["Server"]),
        .executable(name: "upare", targets: ["upare"]),
        // Exposed so that Benchmarks/ can time the C codec calls without the Swift
        // wrapper (the "C library directly" baseline); not an API.
        .library(name: "CCodecGuard", targets: ["CCodecGuard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/vapor/async-kit", from: "1.22.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64", from: "1.2.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // System C libraries, found through pkg-config.
        .systemLibrary(
            name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(
            name: "CFreeType", path: "Sources/CFreeType", pkgConfig: "freetype2",
            providers: [.apt(["libfreetype-dev"])]),
        .systemLibrary(
            name: "CDeflate", path: "Sources/CDeflate", pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]),
        // The CPU's prefetch hint (one static inline function), for the block moves.
        .systemLibrary(name: "CPrefetch", path: "Sources/CPrefetch"),
        // glibc's malloc tuning (mallopt), for the CLI's batch commands.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // libpng and libjpeg report errors by longjmp (or exit); this small C target
        // owns every setjmp so that no input can unwind through Swift frames.
        .target(
            name: "CCodecGuard",
            dependencies: ["CPNG", "CJPEG"]),
        .target(
            name: "Raster",
            dependencies: ["CCodecGuard", "CPNG", "CJPEG", "CFreeType", "CDeflate"],
            swiftSettings: strictSwift),
        // The faces captchas are drawn with, as resources: every build carries
        // them beside its binary (upare_Fonts.resources), so no binary needs the
        // source tree. `BundledFonts` finds them (or an installed prefix's).
        .target(
            name: "Fonts",
            path: "fonts",
            exclude: ["README.md"],
            sources: ["BundledFonts.swift"],
            resources: [
                .copy("DejaVuSans-Bold.ttf"), .copy("LiberationSans-Bold.ttf"), .copy("LiberationSerif-Bold.ttf"),
                .copy("FreeSansBold.ttf"), .copy("LICENSE-DejaVu.txt"), .copy("LICENSE-Liberation.txt"),
                .copy("LICENSE-FreeFont.txt"),
            ],
            swiftSettings: strictSwift),
        // The spoken clips of the audio captcha, as resources, found like the fonts.
        .target(
            name: "Voices",
            dependencies: ["Fonts"],
            path: "voices",
            exclude: ["README.md"],
            sources: ["BundledVoices.swift"],
            resources: [.copy("en"), .copy("zh")],
            swiftSettings: strictSwift),
        // The browser side: the captcha widget, the unscrambler and the demo
        // pages, as resources found like the fonts.
        .target(
            name: "Web",
            dependencies: ["Fonts"],
            path: "web",
            exclude: ["README.md"],
            sources: ["BundledWeb.swift"],
            resources: [.copy("site")],
            swiftSettings: strictSwift),
        // Constant-time comparison of secrets, shared by every module that checks one.
        .target(name: "ConstantTime", swiftSettings: strictSwift),
        .target(
            name: "Captcha",
            dependencies: ["Raster", "ConstantTime", "Fonts", "Voices", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSwift),
        .target(
            name: "Disorder",
            dependencies: [
                "Raster", "ConstantTime", "CPrefetch",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift),
        .target(
            name: "Server",
            dependencies: [
                "Raster", "Captcha", "Disorder", "ConstantTime", "Web",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "AsyncKit", package: "async-kit"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSwift),
        .executableTarget(
            name: "upare",
            dependencies: [
                "CMalloc",
                "Raster",
                "Captcha",
                "Disorder",
                "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift,
            plugins: ["VersionStamp"]),
        // `upare --version` from `git describe` of the tree being built.
        .plugin(name: "VersionStamp", capability: .buildTool()),
        // What the test targets share: the package's paths and fonts, a manual
        // clock, test pictures, and the server harness (the real router on a
        // real database, with known captcha answers).
        .target(
            name: "TestSupport",
            dependencies: [
                "Server", "Captcha", "Raster",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strictSwift),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Captcha", "Raster", "Disorder", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            swiftSettings: strictSwift),
        .testTarget(
            name: "DisorderTests",
            dependencies: ["Disorder", "Raster", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSwift),
        .testTarget(
            name: "CaptchaTests",
            dependencies: ["Captcha", "Raster", "ConstantTime", "TestSupport"],
            swiftSettings: strictSwift),
        .testTarget(
            name: "RasterTests",
            dependencies: ["Raster", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSwift),
        // The command-line tool, run as a real process.
        .testTarget(
            name: "upareTests",
            dependencies: ["upare", "Raster", "TestSupport"],
            swiftSettings: strictSwift),
    ]
)
