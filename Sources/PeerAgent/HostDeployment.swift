import Archive
import DeployProtocol
import Dispatch
import Glibc
import Installer
import Logging
import Swarm
import Synchronization
import TorrentMetainfo

/// One host's part of a push: read the job, download through the swarm, verify, extract
/// beside the destination, switch it into place, seed for the others, and finish. Every step
/// is told through `emit` as a `PeerEvent`; the controller reads them over SSH.
public struct HostDeployment: Sendable {
    /// Port to accept other peers on (0: any free port).
    public var port: Int
    /// Where the job and then the control lines arrive (standard input on a host).
    public var input: Int32
    public var emit: @Sendable (PeerEvent) -> Void
    /// Fault injection for the fault tests: serve corrupt blocks (see
    /// `SwarmConfiguration.corruptsUploads`). Never set by a real push.
    public var corruptsUploads = false

    public init(port: Int = 0, input: Int32 = STDIN_FILENO, emit: @escaping @Sendable (PeerEvent) -> Void) {
        self.port = port
        self.input = input
        self.emit = emit
    }

    /// Runs the deployment; true once installed. On failure the last event says at which
    /// stage, and staging files are gone unless the new tree was already switched in.
    public func run() async -> Bool {
        var stage = PeerStage.prepare
        var paths: InstallPaths?
        // The destination's lock is held until the staging files are cleaned up, below.
        var lock: DestinationLock?
        defer { withExtendedLifetime(lock) {} }
        do {
            try await deploy(stage: &stage, paths: &paths, lock: &lock)
            return true
        } catch {
            // After the switch the staged tree has moved; the tarball may be left.
            if let paths { Installer.cleanUp(paths) }
            emit(.failed(stage: stage, message: "\(error)"))
            return false
        }
    }

    private func deploy(stage: inout PeerStage, paths: inout InstallPaths?, lock: inout DestinationLock?) async throws {
        let job = try JobInput.readJob(from: input)
        let metainfo = try Metainfo(bytes: job.torrent)
        let owner = try TreeOwner.forJob(job)
        // The address the others reach this host at: its swarm listens there, and so does the
        // server of its own program, started first, so hosts still without it can fetch it.
        let address = try job.trackers.first.map(SwarmMember.addressFacing(tracker:))
        let programServer = startProgramServer(job, address: address)
        defer { programServer?.stop() }
        // A new id each time: the staging names cannot be known (and planted) ahead.
        let deployID = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let destinationPaths = try InstallPaths(destination: job.destination, id: deployID)
        // Paths are set (and cleaned up on failure) only once the lock is ours: the staging
        // files of a deploy that could not take it belong to the one that holds it.
        lock = try DestinationLock(destinationPaths)
        let switcher = ReleaseSwitch(job: job, destination: destinationPaths, emit: emit)
        let installPaths = try switcher.stagingPaths(id: deployID)
        paths = installPaths
        try Installer.prepare(installPaths, archiveBytes: metainfo.length, extractedBytes: job.extractedBytes)
        let silence = job.controllerSilenceMilliseconds.map { Duration.milliseconds($0) }
        let control = ControlChannel(descriptor: input, silenceLimit: silence)
        control.start()

        stage = .download
        let prefix = VerifiedPrefix(length: metainfo.length)
        let storage = try FilePieceStorage(path: installPaths.tarball, length: metainfo.length, mode: .createNew)
        let index = await releaseIndex(job)
        let reused = await reusePieces(index, job, metainfo, from: switcher.treeInUse, into: storage, cache: destinationPaths.reuseCache)
        let member = try await join(job, metainfo, address: address, storage: storage, having: reused, prefix: prefix)
        // A host waiting for the program cannot take part at all; one waiting for a block can
        // get it elsewhere: while the program goes out, it has this uplink to itself.
        programServer?.whileSending { [node = member.node] busy in node.holdUploads(busy) }
        let emit = self.emit
        let extracted = ExtractedBytes()
        let reporter = Task { await Self.reportProgress(of: member.node, reused: reused.bytes, extracted: extracted, emit: emit) }
        let extraction = Self.extractWhileDownloading(
            job, installPaths, pieceLength: metainfo.pieceLength, prefix: prefix, node: member.node, extracted: extracted)
        do {
            try await download(member.node, job, control: control)
            emit(.downloaded)

            // The rest of the extraction and the switch run while the node keeps serving
            // pieces to others.
            stage = .extract
            let summary = try await extraction.value
            if let owner { try FileTree.changeOwner(installPaths.stagingTree, uid: owner.uid, gid: owner.gid) }
            // Staged: the controller's stall watch is over for this host (the hooks that follow
            // have their own limits), whether or not it waits for its turn now.
            stage = .staged
            emit(.staged)
            if job.waitsForActivation {
                if await control.waitForActivation() != .activate {
                    throw PeerFailure("\(control.closedBecause); \(job.destination) is unchanged")
                }
            }
            stage = .beforeActivate
            try await install(installPaths, switcher, control: control, stage: &stage)
            emit(.installed(files: summary.files, bytes: summary.bytes))
            rememberPieces(index, job, metainfo, of: switcher.treeInUse, cache: destinationPaths.reuseCache)

            stage = .seed
            try await Self.firstOf(
                { try await Task.sleep(for: .milliseconds(job.seedGraceMilliseconds)) },
                { _ = await control.waitForFinishOrClose() }
            )
        } catch {
            // The extraction must have stopped before the caller removes the staging files.
            prefix.abandon("the deploy stopped: \(error)")
            let extracted = await extraction.result
            reporter.cancel()
            await reporter.value
            programServer?.whileSending(nil)
            await member.leave()
            var failure = error
            if case .failure(let extractionFailure as ExtractionFailure) = extracted {
                stage = .extract
                failure = extractionFailure
            }
            guard Self.isOutOfSpace(failure) else { throw failure }
            Installer.cleanUp(installPaths)
            throw Installer.ranOutOfSpace(
                installPaths, archiveBytes: metainfo.length, extractedBytes: job.extractedBytes,
                while: stage == .extract ? "extracting" : "downloading", error: failure)
        }
        reporter.cancel()
        await reporter.value
        programServer?.whileSending(nil)
        // Seeding is over: what this host sent to whom is final, for the report's rack counts.
        let uploads = (try? await member.node.uploadedByPeer) ?? [:]
        let progress = await member.leave()
        Installer.cleanUp(installPaths)
        if let progress {
            var final = Self.peerProgress(progress)
            final.bytesReused = reused.bytes
            final.uploadedTo = Dictionary(uploads.map { ($0.key.description, $0.value) }, uniquingKeysWith: +)
            emit(.finished(final))
        }
    }

    /// Serves this program to the push's other hosts when the job asks for it (see
    /// `ProgramServer`), and tells the controller where. A host that cannot serve it still
    /// deploys: the others get the program elsewhere.
    private func startProgramServer(_ job: PeerJob, address: String?) -> ProgramServer? {
        guard let token = job.programToken, let address else { return nil }
        var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &path, path.count - 1)
        guard length > 0 else { return nil }
        let program = String(decoding: path[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let server = try? ProgramServer.start(
            address: address, token: token, admitted: job.peerAddresses, program: program, maxRate: job.maxRateBitsPerSecond.map(Double.init))
        else {
            return nil
        }
        emit(.serving(address: address, port: server.port))
        return server
    }

    /// The new release's archive index from the job, read once for building pieces before the
    /// switch and recording them after it; nil without one (reuse off) or when it cannot be
    /// read, which is logged: reuse only saves downloading.
    private func releaseIndex(_ job: PeerJob) async -> ArchiveIndex? {
        guard let index = job.archiveIndex else { return nil }
        do {
            return try await Self.onOwnThread { try ArchiveIndex(encoded: index, root: job.destination) }
        } catch {
            Logger.peer(level: job.logLevel, emit: emit).warning("cannot read the archive index, downloading every piece: \(error)")
            return nil
        }
    }

    /// Builds into `storage` the pieces and blocks the tree in use already holds (see
    /// `PieceReuse`), given the release's index. Reuse only saves downloading: whatever goes
    /// wrong here leaves those pieces to the swarm.
    private func reusePieces(
        _ index: ArchiveIndex?, _ job: PeerJob, _ metainfo: Metainfo, from tree: String?, into storage: FilePieceStorage,
        cache path: String
    ) async -> PieceReuse.Outcome {
        let none = PieceReuse.Outcome(pieces: PieceSet(pieceCount: metainfo.pieceCount))
        guard let index, let tree else { return none }
        let logger = Logger.peer(level: job.logLevel, emit: emit)
        let started = ContinuousClock.now
        do {
            let outcome = try await Self.onOwnThread {
                try PieceReuse.fill(storage, metainfo: metainfo, from: index.rooted(at: tree), cache: ReuseCache.load(from: path))
            }
            logger.info("""
                built \(outcome.pieces.count) of \(metainfo.pieceCount) pieces and \(outcome.blocks.values.reduce(0) { $0 + $1.count }) \
                blocks of \(outcome.blocks.count) others (\(outcome.bytes) bytes) from \(tree) in \(ContinuousClock.now - started), \
                hashing \(outcome.hashedBytes) bytes
                """)
            return outcome
        } catch {
            logger.warning("cannot build pieces from \(tree), downloading them all: \(error)")
            return none
        }
    }

    /// Records the piece hashes and file digests of the release just installed, so the next
    /// push builds its unchanged parts without hashing them. Without an index (reuse off) the
    /// old record no longer describes the tree and goes.
    private func rememberPieces(_ index: ArchiveIndex?, _ job: PeerJob, _ metainfo: Metainfo, of tree: String?, cache path: String) {
        guard let index, let tree else {
            ReuseCache.remove(at: path)
            return
        }
        do {
            try PieceReuse.cache(for: index.rooted(at: tree), metainfo: metainfo).save(to: path)
        } catch {
            ReuseCache.remove(at: path)
            Logger.peer(level: job.logLevel, emit: emit).notice("cannot record the piece hashes of \(tree): \(error)")
        }
    }

    /// Joins the swarm as a downloader writing to `storage`, where the pieces and blocks
    /// `held` were built already, logging at the job's level, and tells the controller it started.
    private func join(
        _ job: PeerJob, _ metainfo: Metainfo, address: String?, storage: FilePieceStorage, having held: PieceReuse.Outcome,
        prefix: VerifiedPrefix
    ) async throws -> SwarmMember {
        let logger = Logger.peer(level: job.logLevel, emit: emit)
        logger.debug("job read", metadata: ["destination": "\(job.destination)", "pieces": "\(metainfo.pieceCount)"])
        var configuration = SwarmConfiguration(listenPort: port, logger: logger)
        if let address { configuration.listenHost = address }
        if let key = job.peerKey {
            guard let key = PeerAuthenticationKey(bytes: key) else { throw PeerJobError("the job's peer key is too short") }
            configuration.authenticationKey = key
        }
        configuration.admittedAddresses = job.peerAddresses
        configuration.rateCap = RateCap(bitsPerSecond: job.maxRateBitsPerSecond.map(Double.init))
        if let racks = job.racks, let address {
            configuration.rackPlacement = RackPlacement(racks: racks, address: address)
            let seat = configuration.rackPlacement.map { "host \($0.share) of its rack" } ?? "not in the rack table: fetching as without racks"
            logger.debug("rack placement at \(address): \(seat)")
        }
        configuration.webSeeds = try job.webSeeds.map { entry in
            do {
                return try WebSeed(entry.url, fileName: metainfo.name, addresses: entry.addresses)
            } catch {
                throw PeerJobError("\(error)")
            }
        }
        configuration.webSeedCertificates = job.webSeedCertificates
        if let hosts = job.webSeedHosts, let address, let rank = hosts.firstIndex(where: { $0.contains(address) }) {
            configuration.webSeedShare = WebSeedShare(rank: rank, hosts: hosts.count)
        } else if !job.webSeeds.isEmpty {
            logger.notice("this host's address is not among the push's hosts: fetching a random share from the web seeds")
        }
        configuration.corruptsUploads = corruptsUploads
        if corruptsUploads { logger.warning("fault injection: every block this peer serves is corrupted") }
        let member = try await SwarmMember.join(
            metainfo: metainfo, storage: storage, role: .downloader,
            configuration: configuration, verifiedPrefix: prefix, having: held.pieces, holdingBlocks: held.blocks,
            tiers: job.trackers.map { [$0] }
        )
        emit(.started(version: SwarmdeployVersion.current, peerID: member.node.peerID.description, listenPort: member.node.listenPort))
        return member
    }

    /// Extracts the archive into the staging directory as its verified prefix grows, so when
    /// the last piece arrives only the tail is left to extract. Nothing reaches the destination
    /// before the whole payload's SHA-256 matches and the switch.
    private static func extractWhileDownloading(
        _ job: PeerJob, _ paths: InstallPaths, pieceLength: Int, prefix: VerifiedPrefix, node: SwarmNode, extracted: ExtractedBytes
    ) -> Task<ExtractionSummary, Error> {
        var limits = ExtractionLimits()
        limits.maxBytes = job.tarBytes
        limits.maxExtensionBytes = ExtractionLimits.extensionBytes(forPieceLength: pieceLength)
        let extractor = SafeExtractor(destination: paths.stagingTree, limits: limits)
        let tarball = paths.tarball
        return Task {
            try await onOwnThread {
                do {
                    return try extractor.extract(growingArchiveAt: tarball, length: prefix.length) { consumed in
                        extracted.store(consumed)
                        return try prefix.wait(beyond: consumed)
                    }
                } catch let error as SwarmNodeError {
                    throw error  // the download stopped; its own error is reported
                } catch {
                    // Ends the download's wait; its catch reports this error, not the node's.
                    node.abandon("the extraction failed: \(error)")
                    throw ExtractionFailure(error: error)
                }
            }
        }
    }

    /// Waits for every piece and the payload's SHA-256, unless the controller goes away or the
    /// job's timeout passes first.
    private func download(_ node: SwarmNode, _ job: PeerJob, control: ControlChannel) async throws {
        try await Self.firstOf(
            { try await node.waitUntilComplete() },
            {
                if await control.waitUntilClosed() != nil {
                    throw PeerFailure("\(control.closedBecause) before the download completed")
                }
            },
            {
                try await Task.sleep(for: .milliseconds(job.timeoutMilliseconds))
                let problems = (try? await node.progress.webSeedProblems) ?? []
                throw PeerFailure(
                    "the download did not complete within \(job.timeoutMilliseconds / 1000) s"
                        + problems.map { "; \($0)" }.joined())
            }
        )
    }

    /// Switches the extracted tree into use with its hooks and health check (see
    /// `ReleaseSwitch`), unless the controller went away meanwhile: it would get no report of
    /// a switch. `stage` ends at the step that failed.
    private func install(_ paths: InstallPaths, _ switcher: ReleaseSwitch, control: ControlChannel, stage: inout PeerStage) async throws {
        guard !control.isClosed else {
            throw PeerFailure("\(control.closedBecause) before the switch; \(switcher.destination.destination) is unchanged")
        }
        do {
            try await Self.onOwnThread {
                try switcher.run(staged: paths) { control.isClosed ? control.closedBecause : nil }
            }
        } catch let failure as ReleaseSwitch.Failure {
            stage = failure.stage
            throw PeerFailure(failure.description)
        }
    }

    /// A progress line whenever something changed, at most every half second. Only change
    /// is reported: a host whose download and extraction stand still says nothing, which is
    /// what the controller's stall timeout watches for.
    private static func reportProgress(
        of node: SwarmNode, reused: Int64, extracted: ExtractedBytes, emit: @Sendable (PeerEvent) -> Void
    ) async {
        struct Reading: Equatable {
            var progress: PeerProgress
            var warnings: [String]

            /// CPU time alone is no change: a peer that only ticks while nothing arrives
            /// must go quiet, or the controller's stall timeout never sees it stand still.
            static func == (lhs: Reading, rhs: Reading) -> Bool {
                var left = lhs.progress
                left.cpuMilliseconds = rhs.progress.cpuMilliseconds
                return left == rhs.progress && lhs.warnings == rhs.warnings
            }
        }
        var warned = 0
        await watchChanges(every: .milliseconds(500), read: { () async -> Reading? in
            guard let swarm = try? await node.progress else { return nil }
            var progress = peerProgress(swarm)
            progress.bytesReused = reused
            progress.bytesExtracted = extracted.load()
            return Reading(progress: progress, warnings: swarm.webSeedProblems)
        }) { (reading: Reading) in
            // A dropped web seed is told whatever the log level: the operator has to mend it.
            for warning in reading.warnings.dropFirst(warned) { emit(.warning(message: warning)) }
            warned = reading.warnings.count
            emit(.progress(reading.progress))
        }
    }

    private static func peerProgress(_ progress: SwarmProgress) -> PeerProgress {
        var reported = PeerProgress(
            verifiedPieces: progress.verifiedPieces, pieceCount: progress.pieceCount,
            bytesDownloaded: progress.bytesDownloaded, bytesDuplicate: progress.bytesDuplicate,
            bytesUploaded: progress.bytesUploaded,
            connectedPeers: progress.connectedPeers,
            bannedPeerIDs: progress.bannedPeerIDs.map(\.description)
        )
        reported.cpuMilliseconds = processCPUMilliseconds()
        reported.bytesFromWebSeeds = progress.bytesFromWebSeeds
        return reported
    }

    /// User and system CPU time of this process so far, in milliseconds (0 when unknown).
    static func processCPUMilliseconds() -> Int64 {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func milliseconds(_ time: timeval) -> Int64 { Int64(time.tv_sec) * 1000 + Int64(time.tv_usec) / 1000 }
        return milliseconds(usage.ru_utime) + milliseconds(usage.ru_stime)
    }

    /// Removes what deploys to `destination` left beside it when their peer was killed
    /// (nothing can clean up after SIGKILL) — unless a deploy to `destination` runs now, whose
    /// files they may be. Returns what it did, in a sentence.
    public static func cleanUpAfterKilledDeploy(destination: String) throws(InstallError) -> String {
        let paths = try InstallPaths(destination: destination, id: "none")
        // Taken (and released, which removes the killed deploy's lock file) even when nothing
        // else is left.
        let lock = try DestinationLock(paths)
        defer { withExtendedLifetime(lock) {} }
        var removed = try Installer.removeLeftovers(paths)
        let releases = ReleaseTree(root: paths.destination)
        if releases.exists { removed += try releases.removeLeftovers() }
        return removed.isEmpty ? "nothing was left beside \(paths.destination)" : "removed \(removed.joined(separator: " and "))"
    }

    /// Whether `error`, or the error it wraps, is a write that found the file system full.
    private static func isOutOfSpace(_ error: any Error) -> Bool {
        switch error {
        case let error as StorageError: error.kind == .noSpace
        case let error as ArchiveError: error.code == .noSpace
        case let error as ExtractionFailure: isOutOfSpace(error.error)
        case let error as SwarmNodeError: error.cause.map(isOutOfSpace) ?? false
        default: false
        }
    }

    /// Runs blocking work on a thread of its own rather than on the tasks' shared pool, which
    /// it would hold for the whole download.
    private static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: "swarmdeploy-peer.extract").async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// Runs the bodies concurrently; returns (or throws) with the first to finish and cancels the rest.
    private static func firstOf(_ bodies: (@Sendable () async throws -> Void)...) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for body in bodies { group.addTask { try await body() } }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}

/// How far the extraction has read the archive, written by its thread and read by the reporter.
final class ExtractedBytes: Sendable {
    private let value = Atomic<Int64>(0)

    func store(_ bytes: Int64) { value.store(bytes, ordering: .relaxed) }
    func load() -> Int64 { value.load(ordering: .relaxed) }
}
