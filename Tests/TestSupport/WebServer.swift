import Foundation

/// nginx serving a directory over HTTP, as an artifact store would, for web seed tests
/// (BEP 19). Besides `/NAME` (byte ranges served), `/norange/NAME` serves the same files
/// ignoring `Range` (`max_ranges 0`: 200 and the whole file), `/moved/NAME` redirects to
/// `/NAME`, and `/unavailable/NAME` answers 503. Every response is logged with its status and body bytes (`sentBytes`). Stopped
/// when released.
public final class WebServer: @unchecked Sendable {
    public let directory: String
    public let address: String
    public let port: Int
    public let scheme: String
    private let prefix: TemporaryDirectory
    private let process: BackgroundProcess

    /// Starts nginx on `address`:`port` (0: a free port on loopback), serving `directory`.
    /// `wrap` runs it inside something else (`ip netns exec NAME`, say); the command's words
    /// come first.
    /// With `tls`, it serves https:// with that certificate instead.
    public init(
        serving directory: String, address: String = "127.0.0.1", port: Int = 0, tls: TestCertificates? = nil, wrap: [String] = []
    ) throws {
        let nginx = try Interop.require(Interop.executable("nginx") ?? "/usr/sbin/nginx", package: "nginx-light")
        self.directory = directory
        self.address = address
        scheme = tls == nil ? "http" : "https"
        self.port = port == 0 ? try Loopback.freePort() : port
        prefix = try TemporaryDirectory("nginx")
        for name in ["client", "proxy", "fastcgi", "uwsgi", "scgi"] {
            try FileManager.default.createDirectory(atPath: prefix.path(name), withIntermediateDirectories: true)
        }
        let host = address.contains(":") ? "[\(address)]" : address
        let configuration = """
            worker_processes 1;
            daemon off;
            user root;
            pid \(prefix.path("nginx.pid"));
            error_log \(prefix.path("error.log")) info;
            events { worker_connections 1024; }
            http {
                log_format sent '$status $body_bytes_sent $request_uri "$http_range"';
                access_log \(prefix.path("access.log")) sent;
                client_body_temp_path \(prefix.path("client"));
                proxy_temp_path \(prefix.path("proxy"));
                fastcgi_temp_path \(prefix.path("fastcgi"));
                uwsgi_temp_path \(prefix.path("uwsgi"));
                scgi_temp_path \(prefix.path("scgi"));
                sendfile on;
                keepalive_requests 100000;
                server {
                    listen \(host):\(self.port)\(tls == nil ? "" : " ssl");
                    \(tls.map { "ssl_certificate \($0.certificate); ssl_certificate_key \($0.key);" } ?? "")
                    root \(directory);
                    location /norange/ { alias \(directory)/; max_ranges 0; }
                    location /moved/ { rewrite ^/moved/(.*)$ /$1 redirect; }
                    location /unavailable/ { return 503; }
                }
            }
            """
        let configurationPath = try prefix.write(configuration, to: "nginx.conf")
        process = try BackgroundProcess(
            wrap.first ?? nginx, Array(wrap.dropFirst()) + (wrap.isEmpty ? [] : [nginx]) + ["-c", configurationPath, "-p", prefix.path],
            logPath: prefix.path("stderr.log"))
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: prefix.path("nginx.pid")) {
            guard process.isRunning, Date() < deadline else {
                throw TestSetupError("nginx did not start: \(process.log) \((try? prefix.readText("error.log")) ?? "")")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// `http://ADDRESS:PORT/` (or https://) followed by `path`; `host` names the server
    /// instead of its address.
    public func url(_ path: String, host name: String? = nil) -> String {
        let host = name ?? (address.contains(":") ? "[\(address)]" : address)
        return "\(scheme)://\(host):\(port)/\(path)"
    }

    /// Each response so far: status, body bytes sent, request target and the Range asked.
    public var responses: [(status: Int, bytes: Int64, target: String, range: String)] {
        let text = (try? prefix.readText("access.log")) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ", maxSplits: 3)
            guard words.count == 4, let status = Int(words[0]), let bytes = Int64(words[1]) else { return nil }
            return (status, bytes, String(words[2]), words[3].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
    }

    /// Body bytes sent with 200 and 206 responses.
    public var sentBytes: Int64 {
        responses.filter { $0.status == 200 || $0.status == 206 }.reduce(0) { $0 + $1.bytes }
    }

    public func stop() {
        process.stop(signal: SIGQUIT, grace: 5)
    }

    deinit {
        stop()
    }
}
