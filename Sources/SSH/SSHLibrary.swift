import CLibSSH2

/// Facts about the libssh2 this build links against.
public enum SSHLibrary {
    /// The runtime libssh2 version, e.g. "1.10.0".
    public static var version: String {
        guard let cString = libssh2_version(0) else { return "unknown" }
        return String(cString: cString)
    }
}
