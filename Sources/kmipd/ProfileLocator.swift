import Foundation

/// Finds an HSM profile given as a path or a name ("softhsm2", "softhsm2.json",
/// "hsm-profiles/softhsm2.json"), so that an installed kmipd works outside the repository. A path
/// that exists is taken as it is; otherwise the file name is looked for in, in order:
/// `$KMIPD_PROFILES`, `hsm-profiles/` beside the binary or up to three folders above it (a build in
/// the repository), `PREFIX/share/kmipd/hsm-profiles` for the binary's prefix, then
/// `/usr/local/share/kmipd/hsm-profiles` and `/usr/share/kmipd/hsm-profiles`.
enum ProfileLocator {
    static func find(_ given: String, relativeTo base: String? = nil) throws -> String {
        let fm = FileManager.default
        var candidates: [String] = []
        if given.hasPrefix("/") { candidates.append(given) } else {
            if let base { candidates.append((base as NSString).appendingPathComponent(given)) }
            candidates.append((fm.currentDirectoryPath as NSString).appendingPathComponent(given))
        }
        if let hit = candidates.first(where: fm.fileExists) { return URL(fileURLWithPath: hit).standardizedFileURL.path }
        let name = given.hasSuffix(".json") ? (given as NSString).lastPathComponent : (given as NSString).lastPathComponent + ".json"
        let searched = searchFolders()
        for folder in searched {
            let path = (folder as NSString).appendingPathComponent(name)
            if fm.fileExists(atPath: path) { return URL(fileURLWithPath: path).standardizedFileURL.path }
        }
        throw CLIError("HSM profile \(given) not found (looked in: \((candidates + searched).joined(separator: ", "))); "
                       + "give token.profile a full path, or install the profiles with scripts/install")
    }

    static func searchFolders() -> [String] {
        var out: [String] = []
        if let env = ProcessInfo.processInfo.environment["KMIPD_PROFILES"], !env.isEmpty { out.append(env) }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var dir = (exe as NSString).deletingLastPathComponent
            out.append((((dir as NSString).deletingLastPathComponent) as NSString).appendingPathComponent("share/kmipd/hsm-profiles"))
            for _ in 0...3 {
                out.append((dir as NSString).appendingPathComponent("hsm-profiles"))
                dir = (dir as NSString).deletingLastPathComponent
            }
        }
        out += ["/usr/local/share/kmipd/hsm-profiles", "/usr/share/kmipd/hsm-profiles"]
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }
}
