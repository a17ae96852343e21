import Tracker

/// Finds the address hosts should use to reach the controller.
public enum ControllerAddress {
    /// Source address the kernel would use to reach `host` (resolved with getaddrinfo). No
    /// packet is sent, so this is safe in `--dry-run`.
    public static func detect(towards host: String, port: Int) throws(PushError) -> String {
        do {
            return try AddressLookup.source(towards: host, port: port).description
        } catch {
            switch error.kind {
            case .noHost:
                throw PushError(.addressDetection, error.description, remedy: "set transfer.listen to the controller's address")
            case .badPort:
                throw PushError(.addressDetection, error.description, remedy: "use a port from 1 to 65535")
            case .unresolved:
                throw PushError(
                    .addressDetection, error.description,
                    remedy: "check the host name, or set transfer.listen (--listen) to the controller's address")
            case .noRoute:
                throw PushError(
                    .addressDetection, error.description,
                    remedy: "check the network configuration, or set transfer.listen (--listen) to the controller's address")
            }
        }
    }
}
