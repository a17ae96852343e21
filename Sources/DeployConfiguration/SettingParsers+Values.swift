import Archive
import DeployProtocol

extension SettingParsers {
    /// Piece sizes BitTorrent clients handle well; outside this, either the
    /// metainfo gets huge or a single bad piece costs too much to refetch.
    public static let pieceSizeRange = (16 << 10)...(64 << 20)

    /// gzip level used for `gzip: true` and a bare `--gzip`. Measured (Benchmarks/pack-hash.sh):
    /// level 1 packs about 25 % faster than level 6 for an archive under 2 % larger, and even
    /// level 1 is slower than a 1 Gbit/s link, so compression stays off by default.
    public static let defaultGzipLevel = 1

    /// `auto` (nil) or a power-of-two size from 16KiB to 64MiB.
    public static func pieceSize(_ text: String) throws -> Int? {
        if text.trimmingSpaces().lowercased() == "auto" { return nil }
        return try checkedPieceSize(size(text), shown: text)
    }

    static func checkedPieceSize(_ bytes: Int, shown: String) throws -> Int {
        guard pieceSizeRange.contains(bytes), bytes & (bytes - 1) == 0 else {
            throw DeployError(
                .invalidValue,
                "piece size \(shown) is not a power of two from 16KiB to 64MiB",
                remedy: "use auto or one of 16KiB, 32KiB, … 1MiB, … 64MiB"
            )
        }
        return bytes
    }

    /// `false`/`off` (nil), `true`/`on` (`defaultGzipLevel`) or a level `1`…`9`.
    public static func gzip(_ text: String) throws -> Int? {
        switch text.trimmingSpaces().lowercased() {
        case "false", "off", "no": return nil
        case "true", "on", "yes": return defaultGzipLevel
        default:
            guard let level = Int(text.trimmingSpaces()) else {
                throw DeployError(.invalidValue, "gzip '\(text)' is not a level", remedy: gzipHelp)
            }
            return try checkedGzipLevel(level)
        }
    }

    static let gzipHelp = "use false, true (level \(defaultGzipLevel)) or a level from 1 (fastest) to 9 (smallest)"

    /// zstd level for a bare `zstd` (see the README's codec table).
    public static let defaultZstdLevel = 3

    static let compressionHelp = "use none, gzip[=1-9] or zstd[=1-19], e.g. zstd=3"

    /// `none`, `gzip[=LEVEL]` or `zstd[=LEVEL]` (`:` also separates the level).
    public static func compression(_ text: String) throws -> ArchiveCompression {
        let trimmed = text.trimmingSpaces().lowercased()
        let parts = trimmed.split(omittingEmptySubsequences: false) { $0 == "=" || $0 == ":" }
        guard parts.count <= 2, let codec = parts.first else {
            throw DeployError(.invalidValue, "compression '\(text)' is not a codec and level", remedy: compressionHelp)
        }
        let level: Int? = try parts.count == 2 ? {
            guard let level = Int(parts[1]) else {
                throw DeployError(.invalidValue, "compression '\(text)': '\(parts[1])' is not a level", remedy: compressionHelp)
            }
            return level
        }() : nil
        switch codec {
        case "none", "off", "false":
            guard level == nil else {
                throw DeployError(.invalidValue, "compression '\(text)': no compression takes no level", remedy: compressionHelp)
            }
            return .none
        case "gzip":
            return .gzip(level: try checkedGzipLevel(level ?? defaultGzipLevel))
        case "zstd":
            let level = level ?? defaultZstdLevel
            guard ZstdCompressor.levels.contains(level) else {
                throw DeployError(.invalidValue, "zstd level \(level) is out of range", remedy: compressionHelp)
            }
            return .zstd(level: level)
        default:
            throw DeployError(.invalidValue, "compression '\(text)' names no codec swarmdeploy knows", remedy: compressionHelp)
        }
    }

    static func checkedGzipLevel(_ level: Int) throws -> Int {
        guard (1...9).contains(level) else {
            throw DeployError(.invalidValue, "gzip level \(level) is out of range", remedy: gzipHelp)
        }
        return level
    }

    /// An absolute, normalized remote path that is not `/` and has no `.` or `..`
    /// parts, because the push renames it and its `.prev` sibling.
    public static func destination(_ text: String) throws -> String {
        guard text.hasPrefix("/") else {
            throw DeployError(
                .invalidValue,
                "destination '\(text)' is not an absolute path",
                remedy: "write the full path on the hosts, e.g. /opt/app (~ is not expanded remotely)"
            )
        }
        let parts = text.split(separator: "/")
        guard !parts.isEmpty else {
            throw DeployError(.invalidValue, "destination cannot be '/'", remedy: "push into a directory such as /opt/app")
        }
        if let bad = parts.first(where: { $0 == "." || $0 == ".." }) {
            throw DeployError(
                .invalidValue,
                "destination '\(text)' contains '\(bad)'",
                remedy: "write the path without '.' or '..' parts"
            )
        }
        if text.contains(where: { $0.isNewline || $0 == "\0" }) {
            throw DeployError(.invalidValue, "destination contains a control character", remedy: "use a plain path")
        }
        return "/" + parts.joined(separator: "/")
    }

    /// An `http://host[:port]/path` tracker URL.
    /// A web seed URL (BEP 19): http:// with a host; the push checks the rest.
    public static func webSeedURL(_ text: String) throws -> String {
        let trimmed = text.trimmingSpaces()
        guard trimmed.lowercased().hasPrefix("http://"), trimmed.count > "http://".count, !trimmed.contains(where: \.isWhitespace) else {
            throw DeployError(
                .invalidValue, "web seed '\(text)' is not an http:// URL",
                remedy: "give the URL of the packed tarball, or of its directory ending in '/', e.g. http://artifacts.internal/releases/")
        }
        return trimmed
    }

    public static func trackerURL(_ text: String) throws -> String {
        let trimmed = text.trimmingSpaces()
        let scheme = "http://"
        guard trimmed.lowercased().hasPrefix(scheme) else {
            throw DeployError(
                .invalidValue,
                "tracker '\(text)' is not an http:// URL",
                remedy: "only HTTP trackers are supported, e.g. http://tracker.example.com:6969/announce"
            )
        }
        let authority = trimmed.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" }
        guard !authority.isEmpty, (try? HostAddress(parsing: String(authority))) != nil else {
            throw DeployError(
                .invalidValue,
                "tracker '\(text)' has no valid host",
                remedy: "write it as http://host[:port]/announce"
            )
        }
        return trimmed
    }

    /// `auto` (nil) or the address hosts should use to reach the controller.
    public static func listen(_ text: String) throws -> String? {
        let trimmed = text.trimmingSpaces()
        if trimmed.lowercased() == "auto" { return nil }
        let address: HostAddress
        do {
            address = try HostAddress(parsing: trimmed)
        } catch let error as DeployError {
            throw error.prefixed("listen address: ")
        }
        guard address.port == nil else {
            throw DeployError(
                .invalidValue,
                "listen address '\(text)' has a port",
                remedy: "give only the address; the tracker and seeder ports are chosen at push time"
            )
        }
        return address.host
    }

    /// A login name for SSH.
    public static func user(_ text: String) throws -> String {
        guard !text.isEmpty,
              text.first != "-",
              text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else {
            throw DeployError(
                .invalidValue,
                "user '\(text)' is not a valid login name",
                remedy: "use letters, digits, '.', '_' and '-', not starting with '-'"
            )
        }
        return text
    }

    /// An integer within `range`, with the setting's name in the error.
    static func checked(_ value: Int, _ range: ClosedRange<Int>, name: String, remedy: String? = nil) throws -> Int {
        guard range.contains(value) else {
            let upper = range.upperBound == Int.max ? "" : " to \(range.upperBound)"
            throw DeployError(
                .invalidValue,
                "\(name) \(value) is out of range",
                remedy: remedy ?? "use a number from \(range.lowerBound)\(upper)"
            )
        }
        return value
    }

    /// `sibling` or `releases`.
    public static func layout(_ text: String) throws -> DestinationLayout {
        guard let layout = DestinationLayout(rawValue: text.trimmingSpaces().lowercased()) else {
            throw DeployError(.invalidValue, "layout '\(text)' is not sibling or releases",
                remedy: "sibling replaces DEST and keeps DEST.prev; releases installs DEST/releases/<id> and links DEST/current")
        }
        return layout
    }

    /// `USER`, `USER:GROUP` or numeric ids, for the installed tree's owner.
    public static func owner(_ text: String) throws -> FileOwner {
        switch FileOwner.parse(text.trimmingSpaces()) {
        case .success(let owner): return owner
        case .failure(let error):
            throw DeployError(.invalidValue, "owner '\(text)': \(error)", remedy: "write USER or USER:GROUP, e.g. app:app or 1000:1000")
        }
    }

    /// `random`, `rack`, or `rack:R[,D[,U]]` (peers from other racks, other datacenters and
    /// no rack, each 0-200).
    public static func peerSelection(_ text: String) throws -> PushSettings.PeerSelection {
        let word = text.trimmingSpaces().lowercased()
        let remedy = "random draws each host's peers from the whole fleet; rack (or rack:R,D,U) mostly from its own rack, "
            + "at most R from other racks, D from other datacenters, U from no rack"
        if word == "random" { return .random }
        if word == "rack" { return .rackDefaults }
        guard word.hasPrefix("rack:") else {
            throw DeployError(.invalidValue, "peer selection '\(text)' is not random or rack", remedy: remedy)
        }
        let numbers = word.dropFirst("rack:".count).split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...3).contains(numbers.count), numbers.allSatisfy({ $0.map { (0...200).contains($0) } ?? false }) else {
            throw DeployError(.invalidValue, "peer selection '\(text)' needs one to three counts from 0 to 200 after rack:", remedy: remedy)
        }
        guard case .rack(_, let datacenters, let unplaced) = PushSettings.PeerSelection.rackDefaults else { return .rackDefaults }
        let given = numbers.map { $0! }
        return .rack(
            otherRacks: given[0], otherDatacenters: given.count > 1 ? given[1] : datacenters,
            unplaced: given.count > 2 ? given[2] : unplaced)
    }

    /// `together` or `asap`.
    public static func activation(_ text: String) throws -> RolloutSettings.Activation {
        guard let activation = RolloutSettings.Activation(rawValue: text.trimmingSpaces().lowercased()) else {
            throw DeployError(.invalidValue, "activation '\(text)' is not together or asap",
                remedy: "together switches every host once the last has the tree; asap switches each host as soon as it has it")
        }
        return activation
    }

    /// A wave's size: a number of hosts (1 or more) or a share above 0%.
    public static func batch(_ text: String) throws -> HostCount {
        let count = try HostCount.parse(text)
        guard count != .hosts(0), count != .percent(0) else {
            throw DeployError(.invalidValue, "batch '\(text)' is empty", remedy: "give 1 or more hosts, or a share above 0%")
        }
        return count
    }

    /// A hook's command line: not empty, one line.
    public static func hookCommand(_ text: String) throws -> String {
        guard !text.trimmingSpaces().isEmpty else {
            throw DeployError(.invalidValue, "the command is empty", remedy: "give a command for the host's login shell, e.g. 'systemctl restart app'")
        }
        guard text.utf8.count <= 64 * 1024 else {
            throw DeployError(.invalidValue, "the command is longer than 64 KiB", remedy: "put it in a script on the hosts and run that")
        }
        return text
    }
}
