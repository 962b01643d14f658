import Fonts
import Foundation

/// Where the clips of the audio captcha (this folder) are at run time, without
/// the source tree: beside the running binary (`upare_Voices.resources`), in
/// its installed prefix (`<prefix>/share/upare/voices`), or here.
public enum BundledVoices {
    public static var candidates: [String] {
        ShippedFolder.candidates(
            resources: "upare_Voices.resources", installed: "voices", source: URL(fileURLWithPath: #filePath).deletingLastPathComponent().path)
    }

    /// The first candidate that holds the English clips.
    public static var folder: String? {
        candidates.first { FileManager.default.fileExists(atPath: $0 + "/en/A.wav") }
    }
}
