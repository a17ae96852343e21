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

    public var line: String {
        PeerEvent.prefix + "status layout=\(layout?.rawValue ?? "none") current=\(unrecorded ? "?" : current ?? "") previous=\(previous ?? "") releases=\(releases.joined(separator: ","))"
    }

    /// Parses a `status` line; nil for any other line.
    public init?(line: String) {
        guard let (kind, fields) = PeerEvent.split(line), kind == "status", let layoutName = fields["layout"] else { return nil }
        layout = layoutName == "none" ? nil : DestinationLayout(rawValue: String(layoutName))
        guard layout != nil || layoutName == "none" else { return nil }
        unrecorded = fields["current"] == "?"
        current = ReleaseID.field(fields["current"])
        previous = ReleaseID.field(fields["previous"])
        releases = (fields["releases"] ?? "").split(separator: ",").compactMap { ReleaseID.field($0) }
    }

    enum CodingKeys: String, CodingKey {
        case layout, current, previous, releases, unrecorded
    }
}
