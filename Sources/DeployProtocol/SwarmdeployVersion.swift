/// The release of swarmdeploy, shown by `swarmdeploy version` and written into torrents' `created by`.
public enum SwarmdeployVersion {
    public static let current = "0.1.0"
}
