import Testing

extension Trait where Self == ConditionTrait {
    /// Runs a suite only where `Sandbox` can be brought up: as root, with `ip netns` and sshd.
    public static var sandbox: Self {
        .enabled("needs root, a working `ip netns` and /usr/sbin/sshd") { await Sandbox.isUsable() }
    }
}
