import DeployConfiguration
import SSH

/// Many hosts at once: a hosts file plus settings become SSH targets
/// (`hosts(_:settings:environment:)`), and work runs on each of them over its
/// own session with a bounded number in flight (`run`).
public enum Fleet {}
