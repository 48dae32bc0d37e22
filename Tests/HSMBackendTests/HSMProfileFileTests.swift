import Foundation
import HSMBackend
import KMIPTestSupport
import Testing

/// Every file in hsm-profiles/ loads, and only what the suite exercises claims to be tested.
@Suite struct HSMProfileFileTests {
    /// The profiles the suite runs on (TestHSM.profiles in a full run) are the ones marked tested.
    static let tested: Set<String> = ["softhsm2.json", "opencryptoki-soft.json"]

    @Test func everyProfileLoadsAndOnlyTheExercisedOnesAreMarkedTested() throws {
        let folder = TestHSM.repositoryRoot + "/hsm-profiles"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.contains("softhsm2.json"))
        for file in files {
            let profile = try HSMProfile.load(path: folder + "/" + file)
            #expect(profile.tested == Self.tested.contains(file), "\(file): tested is \(profile.tested)")
            #expect(!profile.modules.isEmpty && profile.sessions > 0, "\(file)")
            if !profile.tested { #expect(profile.quirks["untested"] != nil, "\(file) should say how to check it before use") }
        }
    }
}
