import Foundation

/// Where the clips of the audio captcha (this folder) are at run time, without
/// the source tree: beside the running binary (`upare_Voices.resources`), in
/// its installed prefix (`<prefix>/share/upare/voices`), or here.
public enum BundledVoices {
    public static var candidates: [String] {
        var folders: [String] = []
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let bin = executable.deletingLastPathComponent()
            folders.append(bin.appendingPathComponent("upare_Voices.resources").path)
            folders.append(bin.deletingLastPathComponent().appendingPathComponent("share/upare/voices").path)
        }
        folders.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().path)
        return folders
    }

    /// The first candidate that holds the English clips.
    public static var folder: String? {
        candidates.first { FileManager.default.fileExists(atPath: $0 + "/en/A.wav") }
    }
}
