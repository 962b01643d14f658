/// `upare --version`: the release tag the binary was built from, or the
/// package version with the commit after it.
enum UpareVersion {
    /// The version of the next release; `CHANGELOG.md`'s newest heading.
    static let package = "0.2.0"

    /// "0.2.0" on the commit tagged v0.2.0; "0.2.0-4-gabc1234" four commits
    /// after it; "0.2.0-dev+abc1234" before any tag; ".dirty" or "-dirty" for
    /// uncommitted changes; the bare package version outside git.
    static var text: String { describe(tag: gitTagDescription, commit: gitCommit) }

    static func describe(tag: String?, commit: String?) -> String {
        if let tag, !tag.isEmpty { return tag.hasPrefix("v") ? String(tag.dropFirst()) : tag }
        if let commit, !commit.isEmpty { return "\(package)-dev+\(commit)" }
        return package
    }
}
