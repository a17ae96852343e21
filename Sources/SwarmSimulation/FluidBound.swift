/// The least time any schedule needs to bring a file to every host, from link rates alone
/// (Kumar & Ross, "Peer-assisted file distribution: the minimum distribution time", 2006):
/// the seeder must send every byte once (F/u_s), the slowest host must receive every byte
/// (F/d_min), and all N copies must be uploaded by someone (N·F/(u_s + Σu_i)). With racks, each
/// rack must also take one copy through its uplink (F/uplink), which the original bound
/// does not model.
public struct FluidBound: Sendable, Hashable {
    public var seederSends: Double
    public var slowestReceives: Double
    public var everyoneUploads: Double
    /// One copy into a rack through its uplink; nil without racks.
    public var rackReceives: Double?

    /// `size` in bytes; rates in bytes per second.
    public init(size: Double, seederRate: Double, hostRates: [Double], rackUplink: Double?) {
        let uploads = seederRate + hostRates.reduce(0, +)
        seederSends = size / seederRate
        slowestReceives = size / (hostRates.min() ?? seederRate)
        everyoneUploads = Double(hostRates.count) * size / uploads
        rackReceives = rackUplink.map { size / $0 }
    }

    /// Kumar and Ross's bound.
    public var kumarRoss: Double { max(seederSends, slowestReceives, everyoneUploads) }

    /// The bound with the rack term.
    public var seconds: Double { max(kumarRoss, rackReceives ?? 0) }
}
