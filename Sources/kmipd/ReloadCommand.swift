import ArgumentParser
import Foundation

/// `kmipd reload`: signals the server serving this configuration to re-read its certificates, CRL,
/// password file, admins and groups (SIGHUP), then reports the outcome from its admin listener.
struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload",
        abstract: "Make the running server re-read its TLS material and access policy (SIGHUP).")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        let pid = try PidFile(config).runningServer()
        let admin = try AdminListen(config)
        let before = admin.flatMap { try? AdminClient(listen: $0).get("/reload") }.flatMap(Self.generation)
        guard kill(pid, SIGHUP) == 0 else { throw CLIError("cannot signal kmipd (pid \(pid)): \(String(cString: strerror(errno)))") }
        guard let admin, let before else {
            print("{\"signalled\": \(pid), \"outcome\": \"see the server's log (no admin listener to ask)\"}")
            return
        }
        // The outcome, once the server has counted this reload.
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(100))
            guard let body = try? AdminClient(listen: admin).get("/reload"), let g = Self.generation(body), g > before else { continue }
            print(body, terminator: "")
            if body.contains("\"ok\":false") { throw ExitCode(1) }
            return
        }
        throw CLIError("signalled kmipd (pid \(pid)) but it reported no reload within 10 s; see its log")
    }

    static func generation(_ body: String) -> Int? {
        guard let data = body.data(using: .utf8), let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return json["generation"] as? Int
    }
}

/// A minimal HTTP/1.0 GET over a plain socket to the loopback admin listener (no TLS, no proxy).
struct AdminClient {
    let listen: AdminListen

    func get(_ path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(listen.port).bigEndian)
        let host = listen.host == "0.0.0.0" || listen.host.isEmpty ? "127.0.0.1" : listen.host
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { throw CLIError("admin.listen host \(host) is not an IPv4 address") }
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw CLIError("admin listener \(host):\(listen.port): \(String(cString: strerror(errno)))") }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(host)\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while response.count < 1 << 20 {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer.prefix(n)
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw CLIError("admin listener: no HTTP answer") }
        return String(text[split.upperBound...])
    }
}
