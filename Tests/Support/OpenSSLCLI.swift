import Foundation

/// The openssl command line, an independent implementation that tests check kmipd's output against.
public enum OpenSSLCLI {
    /// Runs openssl with `args`, feeding `input` on standard input; output and errors together.
    @discardableResult
    public static func run(_ args: [String], input: [UInt8]? = nil) throws -> (status: Int32, out: [UInt8]) {
        try exec(args, input: input, errorsToo: true)
    }

    /// Only standard output (DER conversions and the like).
    public static func output(_ args: [String], input: [UInt8]? = nil) throws -> [UInt8] {
        try exec(args, input: input, errorsToo: false).out
    }

    private static func exec(_ args: [String], input: [UInt8]?, errorsToo: Bool) throws -> (status: Int32, out: [UInt8]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        let out = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = errorsToo ? out : FileHandle.nullDevice
        p.standardInput = inp
        try p.run()
        if let input { inp.fileHandleForWriting.write(Data(input)) }
        try inp.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, [UInt8](data))
    }
}
