import Server
import Testing

/// Form-encoded fields (queries and `application/x-www-form-urlencoded`
/// bodies), decoded as browsers and OAuth clients write them.
@Suite("Form decoding")
struct FormDecodingTests {
    static func field(_ query: String, _ name: String) throws -> String? {
        try Parameters.parse(query: query, contentType: "", body: [])[name]
    }

    @Test("+ is a space and %XX a byte, also in names; UTF-8 comes back whole")
    func decodes() throws {
        #expect(try Self.field("scope=basic+messages", "scope") == "basic messages")
        #expect(try Self.field("a%20b=x%2By%3Dz", "a b") == "x+y=z")
        #expect(try Self.field("name=%E4%B8%AD%E6%96%87", "name") == "中文")
        #expect(try Self.field("name=%e4%b8%ad", "name") == "中")
        #expect(try Self.field("plain=abc&empty=&flag", "plain") == "abc")
        #expect(try Self.field("plain=abc&empty=&flag", "empty") == "")
        #expect(try Self.field("plain=abc&empty=&flag", "flag") == "")
        #expect(try Self.field("k=a=b", "k") == "a=b")
    }

    @Test("a malformed escape or bytes that are not UTF-8 leave the text as it came, + as spaces")
    func keepsMalformed() throws {
        #expect(try Self.field("q=100%", "q") == "100%")
        #expect(try Self.field("q=50%+off", "q") == "50% off")
        #expect(try Self.field("q=%zz", "q") == "%zz")
        #expect(try Self.field("q=%4", "q") == "%4")
        #expect(try Self.field("q=%FF%FE", "q") == "%FF%FE")
        #expect(try Self.field("q=%C3", "q") == "%C3")
    }

    @Test("in a form body the same rules hold")
    func body() throws {
        let parsed = try Parameters.parse(
            query: "", contentType: "application/x-www-form-urlencoded", body: Array("user=li+lei&note=%E2%9C%93".utf8))
        #expect(parsed["user"] == "li lei")
        #expect(parsed["note"] == "✓")
    }
}
