import Fonts
import Foundation

/// Where the browser side (this folder's `site/`: the widget, the
/// unscrambler, the demo pages) is at run time, without the source tree:
/// beside the running binary (`upare_Web.resources/site`), in its installed
/// prefix (`<prefix>/share/upare/web`), or here.
public enum BundledWeb {
    public static var candidates: [String] {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("site").path
        return ShippedFolder.candidates(resources: "upare_Web.resources", installed: "web", source: source).map { folder in
            folder.hasSuffix("upare_Web.resources") ? folder + "/site" : folder
        }
    }

    /// The first candidate that holds the widget.
    public static var folder: String? {
        candidates.first { FileManager.default.fileExists(atPath: $0 + "/static/upare-captcha.js") }
    }
}
