import DeployProtocol
import Testing
@testable import Push

/// One connected host's steps, as tables of inputs and the actions they lead to.
@Suite struct HostPushMachineTests {
    /// An input to the machine, as the runner would feed it.
    enum Input {
        case connected(cancelled: Bool)
        case stdout(String)
        case stderr(String)
        case launchEnded(status: Int32?, signal: String?)
        case uploadEnded(replaced: Bool)
        case uploadFailed(String)
        case channelFailed(HostPhase, String)
    }

    static let started = PeerEvent.started(version: "0.1.0", peerID: "-SD0100-abc", listenPort: 6881)
    static let installed = PeerEvent.installed(files: 3, bytes: 42)
    static let notCached = HostPushMachine.notCachedMarker

    /// Feeds `inputs` in order and returns every action, in order.
    static func run(_ inputs: [Input]) -> (actions: [HostPushMachine.Action], machine: HostPushMachine) {
        var machine = HostPushMachine()
        var actions: [HostPushMachine.Action] = []
        for input in inputs {
            switch input {
            case .connected(let cancelled): actions += machine.connected(cancelled: cancelled)
            case .stdout(let line): actions += machine.stdout(line)
            case .stderr(let line): machine.stderr(line)
            case .launchEnded(let status, let signal): actions += machine.launchEnded(status: status, signal: signal)
            case .uploadEnded(let replaced): actions += machine.uploadEnded(replaced: replaced)
            case .uploadFailed(let message): actions += machine.uploadFailed(message)
            case .channelFailed(let phase, let message): actions += machine.channelFailed(at: phase, message)
            }
        }
        return (actions, machine)
    }

    @Test func warmHostRunsTheCachedPeerInOneChannel() {
        let (actions, machine) = Self.run([
            .connected(cancelled: false),
            .stdout(Self.started.line),
            .stdout(PeerEvent.downloaded.line),
            .stdout(Self.installed.line),
            .launchEnded(status: 0, signal: nil),
        ])
        #expect(actions == [
            .launch(.cached),
            .letNextHostIn, .record(.peerReady(program: .cached)), .record(.peer(Self.started)),
            .record(.peer(.downloaded)),
            .record(.peer(Self.installed)),
            .record(.exited(status: 0, signal: nil, lastError: nil)),
        ])
        #expect(machine.isEnded)
    }

    @Test func coldHostGetsThePeerUploadedThenLaunched() {
        let (actions, _) = Self.run([
            .connected(cancelled: false),
            .stdout(Self.notCached),
            .launchEnded(status: HostPushMachine.notCachedStatus, signal: nil),
            .uploadEnded(replaced: true),
            .stdout(Self.started.line),
            .launchEnded(status: 0, signal: nil),
        ])
        #expect(actions == [
            .launch(.cached),
            .upload,
            .launch(.uploaded),
            .letNextHostIn, .record(.peerReady(program: .uploaded)), .record(.peer(Self.started)),
            .record(.exited(status: 0, signal: nil, lastError: nil)),
        ])
    }

    /// A damaged cached binary crashes before saying anything: its hash is checked, a fresh
    /// copy is uploaded, and that one runs.
    @Test func silentCachedPeerIsReplacedAndLaunchedAgain() {
        let (actions, _) = Self.run([
            .connected(cancelled: false),
            .stderr("Illegal instruction"),
            .launchEnded(status: nil, signal: "ILL"),
            .uploadEnded(replaced: true),
            .stdout(Self.started.line),
            .launchEnded(status: 0, signal: nil),
        ])
        #expect(actions.prefix(3) == [.launch(.cached), .upload, .launch(.uploaded)])
        #expect(actions.contains(.record(.peerReady(program: .uploaded))))
    }

    /// An intact cached peer that ends without a word would end the same way again: the
    /// host fails with how it ended, without a second launch.
    @Test func silentIntactPeerIsNotLaunchedAgain() {
        let (actions, machine) = Self.run([
            .connected(cancelled: false),
            .stderr("cannot open shared object"),
            .launchEnded(status: 127, signal: nil),
            .uploadEnded(replaced: false),
        ])
        #expect(actions == [
            .launch(.cached), .upload,
            .record(.exited(status: 127, signal: nil, lastError: "cannot open shared object")),
        ])
        #expect(machine.isEnded)
    }

    /// A peer that spoke and then failed is reported as it ended: no upload, no relaunch.
    @Test func peerThatSpokeAndFailedIsNotRetried() {
        let failed = PeerEvent.failed(stage: .download, message: "no space left")
        let (actions, _) = Self.run([
            .connected(cancelled: false),
            .stdout(Self.started.line),
            .stdout(failed.line),
            .launchEnded(status: 1, signal: nil),
        ])
        #expect(!actions.contains(.upload))
        #expect(actions.last == .record(.exited(status: 1, signal: nil, lastError: nil)))
        #expect(actions.filter { $0 == .letNextHostIn }.count == 1)
    }

    /// A peer killed mid-download cannot remove its staging files: the machine asks for the
    /// peer's clean-up. Not after it installed (nothing is staged then), nor when it ended by
    /// itself (it cleaned up).
    @Test func aPeerKilledBeforeInstallingIsCleanedUpAfter() {
        let killed = Self.run([
            .connected(cancelled: false), .stdout(Self.started.line), .launchEnded(status: nil, signal: "KILL"),
        ]).actions
        #expect(killed.suffix(2) == [.record(.exited(status: nil, signal: "KILL", lastError: nil)), .cleanUp])

        let killedWhileSeeding = Self.run([
            .connected(cancelled: false), .stdout(Self.started.line), .stdout(Self.installed.line),
            .launchEnded(status: nil, signal: "KILL"),
        ]).actions
        #expect(!killedWhileSeeding.contains(.cleanUp))

        let failedByItself = Self.run([
            .connected(cancelled: false), .stdout(Self.started.line), .launchEnded(status: 1, signal: nil),
        ]).actions
        #expect(!failedByItself.contains(.cleanUp))
    }

    /// A failed upload is the host's end, at the upload phase; an uploaded peer that is
    /// silent too is not uploaded a second time.
    @Test(arguments: [
        ([Input.connected(cancelled: false), .stdout(notCached), .launchEnded(status: 97, signal: nil), .uploadFailed("sftp: disk full")],
         HostPushMachine.Action.record(.failed(phase: .upload, message: "sftp: disk full"))),
        ([Input.connected(cancelled: false), .stdout(notCached), .launchEnded(status: 97, signal: nil), .uploadEnded(replaced: true),
          .launchEnded(status: nil, signal: "SEGV")],
         HostPushMachine.Action.record(.exited(status: nil, signal: "SEGV", lastError: nil))),
        ([Input.connected(cancelled: true)],
         HostPushMachine.Action.record(.failed(phase: .connect, message: "the push was cancelled"))),
        ([Input.connected(cancelled: false), .stdout(started.line), .channelFailed(.download, "not done within the push's --timeout")],
         HostPushMachine.Action.record(.failed(phase: .download, message: "not done within the push's --timeout"))),
    ])
    func endings(_ inputs: [Input], _ last: HostPushMachine.Action) {
        let (actions, machine) = Self.run(inputs)
        #expect(actions.last == last)
        #expect(actions.filter { $0 == .upload }.count <= 1)
        #expect(machine.isEnded)
    }

    /// Once ended, nothing more happens, whatever arrives late.
    @Test func endedHostIgnoresLateInput() {
        var (_, machine) = Self.run([.connected(cancelled: true)])
        #expect(machine.stdout(Self.started.line) == [])
        #expect(machine.launchEnded(status: 0, signal: nil) == [])
        #expect(machine.uploadEnded(replaced: true) == [])
        #expect(machine.channelFailed(at: .download, "late") == [])
    }

    /// A marker line without the not-cached exit status is just output: the peer ran.
    @Test func markerWithoutItsStatusIsNotAnUpload() {
        let (actions, _) = Self.run([
            .connected(cancelled: false),
            .stdout(Self.started.line),
            .stdout(Self.notCached),
            .launchEnded(status: 0, signal: nil),
        ])
        #expect(!actions.contains(.upload))
    }
}

extension HostPushMachineTests {
    /// A peer's log lines go to the controller's log, not the board; the first one also
    /// tells that the peer runs.
    @Test func peerLogLinesBecomeLogActions() {
        let log = PeerEvent.log(level: "debug", message: "job read")
        let (actions, _) = Self.run([
            .connected(cancelled: false),
            .stdout(log.line),
            .stdout(Self.started.line),
        ])
        #expect(actions == [
            .launch(.cached),
            .letNextHostIn, .record(.peerReady(program: .cached)), .log(level: "debug", message: "job read"),
            .record(.peer(Self.started)),
        ])
    }
}

/// `--sudo`: how the peer is started, and what a refusal by sudo becomes.
@Suite struct SudoLaunchTests {
    static let binary = PeerBinary(path: "/tmp/peer", sha256: "ab12", size: 1)

    @Test func thePeerRunsThroughSudoNeverPrompting() {
        #expect(Self.binary.command(["deploy"], sudo: false) == "exec ./.cache/swarmdeploy/peer-ab12 deploy")
        #expect(Self.binary.command(["clean-up", "/srv/my app"], sudo: true)
            == "exec sudo -n -- ./.cache/swarmdeploy/peer-ab12 clean-up '/srv/my app'")
        let cached = Self.binary.commandIfCached(["status"], sudo: true)
        #expect(cached.hasPrefix("if [ -x .cache/swarmdeploy/peer-ab12 ]; then exec sudo -n -- "))
    }

    @Test func aSudoRefusalFailsTheHostWithTheRemedy() {
        for (said, remedy) in [
            ("sudo: a password is required", "NOPASSWD"),
            ("bash: line 1: sudo: command not found", "install sudo"),
            ("sudo: sorry, user deploy may not run sudo on h1.", "sudoers rules"),
        ] {
            let (actions, machine) = HostPushMachineTests.run([.connected(cancelled: false), .stderr(said), .launchEnded(status: 1, signal: nil)])
            #expect(machine.isEnded)
            guard case .record(.failed(let phase, let message)) = actions.last else {
                Issue.record("no failure for \(said): \(actions)")
                continue
            }
            #expect(phase == .connect)
            #expect(message.contains(said) && message.contains(remedy), "\(message)")
        }
    }

    @Test func sudoLinesAfterThePeerSpokeAreThePeersOwn() {
        let (actions, _) = HostPushMachineTests.run([
            .connected(cancelled: false), .stdout(HostPushMachineTests.started.line), .stderr("sudo: something a hook said"),
            .launchEnded(status: 1, signal: nil),
        ])
        guard case .record(.exited) = actions.last else {
            Issue.record("expected the peer's own exit: \(actions)")
            return
        }
    }
}
