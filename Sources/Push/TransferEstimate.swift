import DeployConfiguration

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Back-of-the-envelope transfer times for `--dry-run`, assuming every link
/// (the controller's included) runs at the same rate and nothing else limits.
public enum TransferEstimate {
    /// Time to send `bytes` once over a link: `bytes × 8 / rate`.
    public static func singleCopySeconds(bytes: Int64, bitsPerSecond: Double) -> Double {
        guard bytes > 0 else { return 0 }
        guard bitsPerSecond > 0 else { return .infinity }
        return Double(bytes) * 8 / bitsPerSecond
    }

    /// One-by-one copying through the controller's NIC: N × t, t = bytes*8/rate.
    public static func sequentialSeconds(bytes: Int64, hosts: Int, bitsPerSecond: Double) -> Double {
        guard hosts > 0 else { return 0 }
        return Double(hosts) * singleCopySeconds(bytes: bytes, bitsPerSecond: bitsPerSecond)
    }

    /// Swarm (pipelined pieces, binary fan-out): t + t·log2(N)/R where R = number of pieces.
    ///
    /// Each piece reaches all N hosts after log2(N) piece-times because every
    /// holder forwards it; with R pieces in flight the pipeline fills once and
    /// then delivers at full link rate.
    public static func swarmSeconds(bytes: Int64, hosts: Int, pieces: Int, bitsPerSecond: Double) -> Double {
        guard hosts > 0 else { return 0 }
        let t = singleCopySeconds(bytes: bytes, bitsPerSecond: bitsPerSecond)
        let r = Double(max(pieces, 1))
        return t + t * log2(Double(hosts)) / r
    }

    /// How many times faster the swarm is; 1 when there is nothing to send.
    public static func speedup(sequential: Double, swarm: Double) -> Double {
        guard swarm > 0, sequential.isFinite, swarm.isFinite else { return 1 }
        return sequential / swarm
    }
}
