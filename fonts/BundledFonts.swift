import Foundation

/// Where the faces shipped with upare (this folder) are at run time, without
/// the source tree: a build carries them beside its binary as SwiftPM
/// resources (`upare_Fonts.resources`), and `make install` puts them in
/// `<prefix>/share/upare/fonts` beside `<prefix>/bin/upare`.
public enum BundledFonts {
    /// The folders tried, best first: beside the running binary (following
    /// symlinks), then the installed prefix, then this source folder.
    public static var candidates: [String] {
        ShippedFolder.candidates(
            resources: "upare_Fonts.resources", installed: "fonts", source: URL(fileURLWithPath: #filePath).deletingLastPathComponent().path)
    }

    /// The first candidate that holds a font file.
    public static var folder: String? {
        candidates.first { folder in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return names.contains { $0.hasSuffix(".ttf") || $0.hasSuffix(".otf") || $0.hasSuffix(".ttc") }
        }
    }
}

/// Where a folder shipped with upare (the fonts, the voices) is at run time.
public enum ShippedFolder {
    /// Best first: beside the running binary (following symlinks) as SwiftPM
    /// resources, `<prefix>/share/upare/<installed>` of `make install`, then
    /// `source`, the folder in the source tree the build was made from.
    public static func candidates(resources: String, installed: String, source: String) -> [String] {
        var folders: [String] = []
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let bin = executable.deletingLastPathComponent()
            folders.append(bin.appendingPathComponent(resources).path)
            folders.append(bin.deletingLastPathComponent().appendingPathComponent("share/upare/\(installed)").path)
        }
        folders.append(source)
        return folders
    }
}
