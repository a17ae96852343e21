/// What a host holds at a destination, as the peer's `status` reports it on one line:
/// `swarmdeploy-peer status layout=releases current=ID previous=ID releases=ID,ID,...`
/// (`layout=none` when nothing is there; an empty field is none; `current=?` in the sibling
/// layout is a tree whose release is not recorded).
public struct DestinationStatus: Sendable, Equatable, Codable {
    /// Nil when the destination holds nothing.
    public var layout: DestinationLayout?
    public var current: String?
    public var previous: String?
    /// Every release on the host, oldest first (the release layout only).
    public var releases: [String]
    /// In the sibling layout, a tree is there whose release is not recorded.
    public var unrecorded: Bool

    public init(layout: DestinationLayout?, current: String?, previous: String?, releases: [String] = [], unrecorded: Bool = false) {
        self.layout = layout
        self.current = current
        self.previous = previous
        self.releases = releases
        self.unrecorded = unrecorded
    }

    static let prefix = "swarmdeploy-peer status "

    public var line: String {
        Self.prefix + "layout=\(layout?.rawValue ?? "none") current=\(unrecorded ? "?" : current ?? "") previous=\(previous ?? "") releases=\(releases.joined(separator: ","))"
    }

    /// Parses a `status` line; nil for any other line.
    public init?(line: String) {
        guard line.hasPrefix(Self.prefix) else { return nil }
        var fields: [String: String] = [:]
        for token in line.dropFirst(Self.prefix.count).split(separator: " ") {
            let parts = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            fields[String(parts[0])] = String(parts[1])
        }
        guard let layoutName = fields["layout"] else { return nil }
        func id(_ key: String) -> String? {
            guard let text = fields[key], !text.isEmpty, ReleaseID.problem(with: text) == nil else { return nil }
            return text
        }
        layout = layoutName == "none" ? nil : DestinationLayout(rawValue: layoutName)
        guard layout != nil || layoutName == "none" else { return nil }
        unrecorded = fields["current"] == "?"
        current = id("current")
        previous = id("previous")
        releases = (fields["releases"] ?? "").split(separator: ",").map(String.init).filter { ReleaseID.problem(with: $0) == nil }
    }

    enum CodingKeys: String, CodingKey {
        case layout, current, previous, releases, unrecorded
    }
}
