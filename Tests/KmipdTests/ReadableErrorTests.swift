import Foundation
import OperatorErrors
import Testing

/// What a person reads when a file or a setting is wrong: one line, the file or the setting named.
@Suite struct ReadableErrorTests {
    struct Sample: Decodable { struct Inner: Decodable { var port: Int }; var listen: Inner; var name: String }

    @Test func missingFileNamesThePath() {
        let error = #expect(throws: (any Error).self) { _ = try Data(contentsOf: URL(fileURLWithPath: "/nonexistent/kmipd.json")) }
        #expect(Readable.reason(error!) == "/nonexistent/kmipd.json: no such file")
    }

    @Test func decodingErrorsNameTheSetting() {
        func reason(_ json: String) -> String {
            do { _ = try JSONDecoder().decode(Sample.self, from: Data(json.utf8)); return "decoded" } catch { return Readable.reason(error) }
        }
        #expect(reason(#"{"listen": {"port": "x"}, "name": "n"}"#) == "setting listen.port should be a whole number")
        #expect(reason(#"{"listen": {"port": 1}}"#) == "setting name is missing")
        #expect(reason(#"{"listen": {"port": 1}, "name": null}"#) == "setting name is null")
        #expect(reason("{ not json").hasPrefix("not valid JSON"))
        for text in [reason("{ not json"), reason(#"{"listen": 3, "name": "n"}"#)] {
            #expect(!text.contains("\n") && !text.contains("Error Domain") && !text.contains("CodingKeys"), "\(text)")
        }
    }
}
