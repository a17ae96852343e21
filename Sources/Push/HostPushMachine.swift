import DeployProtocol

/// What the push does with one connected host, as a plain value: each input (the peer
/// spoke, the launch ended, the upload ended, the channel failed) returns the actions the
/// runner carries out. The runner owns the SSH session and blocks on it; every decision —
/// launch the cached peer or upload it, launch again or give up, when to let the next host
/// connect — is made here and tested without a network (`HostPushMachineTests`).
///
/// The order for a host whose cache is warm: `launch(.cached)`, the peer's events, the exit.
/// For a cold host: `launch(.cached)` ends with the not-cached marker, `upload`, then
/// `launch(.uploaded)`. A cached peer that ends without a word (damaged on the host's disk,
/// say) is checked by hash with `upload` too, and launched again only if that replaced it.
public struct HostPushMachine: Sendable, Equatable {
    public enum Launch: Sendable, Equatable {
        /// Run the peer from the host's cache if it is there, else print the not-cached marker.
        case cached
        /// Run the peer just uploaded.
        case uploaded
    }

    public enum Action: Sendable, Equatable {
        /// Run the peer over a new channel and report its output and exit back here.
        case launch(Launch)
        /// Make sure the host's cache holds this peer binary (upload it unless the hash matches).
        case upload
        /// Let the next host connect: this one's costly part is over.
        case letNextHostIn
        /// Put this on the board.
        case record(HostEvent)
        /// Pass the peer's diagnostic line to the controller's log.
        case log(level: String, message: String)
        /// The peer was killed before installing, so its staging files (a tarball as large as
        /// the payload) are still beside the destination: run the peer's `clean-up`.
        case cleanUp
    }

    enum State: Sendable, Equatable {
        case connected
        case launching(Launch, peerSpoke: Bool, notCached: Bool)
        /// After a launch that found no peer (`missing`) or one that ended silently, with
        /// how that launch ended.
        case uploading(missing: Bool, status: Int32?, signal: String?)
        case ended
    }

    private(set) var state: State = .connected
    /// Where the binary came from in this push; nil until known.
    private var program: PeerProgramOrigin?
    /// The last line the peer wrote to standard error, for a failure with nothing better to say.
    private var lastError: String?
    /// Whether the peer said it installed.
    private var installed = false
    /// What `sudo` said when it would not start the peer (`--sudo`).
    private var sudoRefusal: String?

    public init() {}

    /// Whether the host has ended (recorded its outcome); no input changes it any more.
    public var isEnded: Bool { state == .ended }

    /// The host is connected: launch its cached peer, unless the push was cancelled meanwhile.
    public mutating func connected(cancelled: Bool) -> [Action] {
        guard state == .connected else { return [] }
        if cancelled {
            state = .ended
            return [.record(.failed(phase: .connect, message: "the push was cancelled"))]
        }
        state = .launching(.cached, peerSpoke: false, notCached: false)
        return [.launch(.cached)]
    }

    /// A line from the peer's standard output.
    public mutating func stdout(_ line: String) -> [Action] {
        guard case .launching(let launch, let peerSpoke, let notCached) = state else { return [] }
        if let event = PeerEvent(line: line) {
            state = .launching(launch, peerSpoke: true, notCached: notCached)
            // The first event means the peer runs: the next host may connect.
            let ready: [Action] = peerSpoke ? [] : [.letNextHostIn, .record(.peerReady(program: program ?? .cached))]
            if case .log(let level, let message) = event { return ready + [.log(level: level, message: message)] }
            if case .installed = event { installed = true }
            return ready + [.record(.peer(event))]
        }
        if line == Self.notCachedMarker {
            state = .launching(launch, peerSpoke: peerSpoke, notCached: true)
        }
        return []
    }

    /// A line from the peer's standard error: kept, in case the peer ends without saying why.
    public mutating func stderr(_ line: String) {
        guard !line.isEmpty else { return }
        lastError = String(line.prefix(500))
        // sudo speaks before the peer can; anything the peer itself prints comes after its
        // first event.
        if case .launching(_, peerSpoke: false, _) = state,
            line.hasPrefix("sudo: ") || line.hasSuffix("sudo: not found") || line.hasSuffix("sudo: command not found") {
            sudoRefusal = lastError
        }
    }

    /// The launched command ended with this status (nil with a signal).
    public mutating func launchEnded(status: Int32?, signal: String?) -> [Action] {
        guard case .launching(let launch, let peerSpoke, let notCached) = state else { return [] }
        let missing = notCached && status == Self.notCachedStatus
        let silent = !peerSpoke && (status != 0 || signal != nil)
        if silent, let sudoRefusal {
            state = .ended
            return [.record(.failed(phase: .connect, message: Self.sudoMessage(sudoRefusal)))]
        }
        if launch == .cached, missing || silent {
            state = .uploading(missing: missing, status: status, signal: signal)
            return [.upload]
        }
        state = .ended
        let exited = Action.record(.exited(status: status, signal: signal, lastError: lastError))
        // A peer that ends on its own cleans up; one killed after it began (it spoke) cannot.
        return signal != nil && peerSpoke && !installed ? [exited, .cleanUp] : [exited]
    }

    /// The upload step ended: `replaced` tells whether it wrote a new copy (false when the
    /// host's copy already had the right hash), `source` the host it was fetched from (nil:
    /// the controller uploaded it).
    public mutating func uploadEnded(replaced: Bool, from source: String? = nil) -> [Action] {
        guard case .uploading(let missing, let status, let signal) = state else { return [] }
        program = replaced ? source.map { .fetched(from: $0) } ?? .uploaded : .cached
        guard missing || replaced else {
            // The cached peer is intact, yet it ended without a word: launching it again would
            // end the same way, so report how it ended.
            state = .ended
            return [.record(.exited(status: status, signal: signal, lastError: lastError))]
        }
        state = .launching(.uploaded, peerSpoke: false, notCached: false)
        return [.launch(.uploaded)]
    }

    public mutating func uploadFailed(_ message: String) -> [Action] {
        guard case .uploading = state else { return [] }
        state = .ended
        return [.record(.failed(phase: .upload, message: message))]
    }

    /// The channel failed (SSH error, the push cancelled, the deadline passed); `phase` is how
    /// far the host got, as the board has it.
    public mutating func channelFailed(at phase: HostPhase, _ message: String) -> [Action] {
        guard state != .ended else { return [] }
        state = .ended
        return [.record(.failed(phase: phase, message: message))]
    }

    /// Why a host failed when sudo would not start the peer, and what to do.
    static func sudoMessage(_ said: String) -> String {
        let remedy = said.contains("password")
            ? "allow the login user to run it without a password on this host (a NOPASSWD sudoers rule)"
            : said.contains("not found")
            ? "install sudo on this host"
            : "check this host's sudoers rules for the login user"
        return "sudo would not start the peer as root (\(said)); \(remedy), or push without --sudo as a user who may write the destination"
    }

    /// What a host prints, and its exit status, when its cache lacks this peer binary.
    public static let notCachedMarker = "swarmdeploy-peer-not-cached"
    public static let notCachedStatus: Int32 = 97
}
