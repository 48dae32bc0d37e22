import Foundation

// Writes every Request Message of the OASIS XML vectors as binary TTLV: the fuzzer's seed corpus.
@main
struct MakeSeeds {
    static func main() throws {
        let args = CommandLine.arguments
        let out = args[1]
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var n = 0
        for path in args.dropFirst(2) {
            guard let root = try? XMLElement.parse(String(contentsOfFile: path, encoding: .utf8)) else { continue }
            for e in root.children where e.name == "RequestMessage" {
                guard let t = try? TTLVXML.ttlv(e, resolve: { v, _ in v.hasPrefix("$") ? "00" : v }) else { continue }
                n += 1
                FileManager.default.createFile(atPath: "\(out)/seed-\(n)", contents: Data(TTLVEncoder.encode(t)))
            }
        }
        print("seeds: \(n)")
    }
}
