import Archive
import DeployConfiguration
import DeployProtocol
import PayloadPacking
import Swarm
import TorrentMetainfo
import Tracker

/// The push's tarball as the seeder serves it, with its torrent. A plain tar is read straight
/// from the source tree (`SourcePieceStorage`): neither memory nor disk holds a copy. A compressed
/// payload cannot be read at an offset, so it is written once to an unlinked spool file
/// (`SpoolPieceStorage`) in `$TMPDIR`.
public struct PackedPayload: Sendable {
    public let metainfo: Metainfo
    /// Nil for a packed release whose tarball is not on this machine: it seeds nothing
    /// (`--no-local-seed`), the web seeds serve the hosts.
    let storage: (any PieceStorage)?
    /// The tarball's length.
    public let archiveLength: Int64
    /// File bytes of the extracted tree, for the hosts' free-space check.
    public let extractedBytes: Int64
    /// Length of the uncompressed tar stream, the most a host will extract.
    public let tarBytes: Int64
    /// The archive's index for the hosts to build the pieces they hold (see
    /// `PeerJob.archiveIndex`); nil when reuse is off, the archive is compressed, or it was
    /// packed earlier (`release(torrent:payload:)`).
    public var archiveIndex: [UInt8]?
    /// A packed release's contents as read from its tarball (for a dry run); nil for a tree
    /// packed by this push.
    public var tally: ArchiveMeasurement.Tally?

    init(payload: Payload, storage: any PieceStorage, archiveIndex: [UInt8]? = nil) {
        self.init(
            metainfo: payload.metainfo, storage: storage, archiveLength: payload.archiveLength,
            extractedBytes: payload.manifest.payloadBytes, tarBytes: payload.manifest.tarLength, archiveIndex: archiveIndex)
    }

    init(
        metainfo: Metainfo, storage: (any PieceStorage)?, archiveLength: Int64, extractedBytes: Int64, tarBytes: Int64,
        archiveIndex: [UInt8]? = nil
    ) {
        self.metainfo = metainfo
        self.storage = storage
        self.archiveLength = archiveLength
        self.extractedBytes = extractedBytes
        self.tarBytes = tarBytes
        self.archiveIndex = archiveIndex
    }
}

extension PushPlan {
    /// Scans the source tree. An unreadable or unpackable tree is the request's fault.
    public func scanSource() throws(PushError) -> ArchiveManifest {
        do {
            return try TreeScanner.scan(root: source)
        } catch {
            throw PushError(.invalidRequest, "\(error)")
        }
    }

    /// Hashes the tree in one pass (and when compressing, spools the compressed archive) and returns
    /// what the seeder will serve. `progress` gets the archive bytes done so far and the total.
    /// The torrent carries a random nonce: its info-hash is new with every push, so nobody can
    /// compute it from the tree and ask for the payload by it.
    public func pack(
        _ manifest: ArchiveManifest,
        progress: @escaping (_ done: Int64, _ total: Int64) -> Void = { _, _ in }
    ) throws(PushError) -> PackedPayload {
        var options = payload
        options.nonce = RandomBytes.make(16)
        guard payload.compression != .none else {
            options.digestsFiles = settings.reuse
            let built = try build(manifest, options: options, progress: progress, failure: .controller) { _ in }
            do {
                let archive = TreeArchive(built.manifest)
                let index = settings.reuse ? try built.index.encoded() : nil
                return PackedPayload(
                    payload: built, storage: SourcePieceStorage(archive: archive, metainfo: built.metainfo), archiveIndex: index)
            } catch {
                throw PushError(.controller, "cannot serve \(source): \(error)")
            }
        }
        // gzip and zstd add at most a few bytes per block to what they cannot compress.
        let bound = manifest.tarLength + manifest.tarLength / 500 + (1 << 20)
        var built: Payload?
        do {
            let spool = try SpoolPieceStorage.spooling(in: SpoolPieceStorage.directory(), upTo: bound) { sink in
                built = try build(manifest, options: options, progress: progress, failure: .controller, output: sink)
            }
            return PackedPayload(payload: built!, storage: spool)
        } catch let error as PushError {
            throw error
        } catch {
            throw PushError(.controller, "\(error)")
        }
    }

    /// Packs and hashes the tree to nowhere, for a dry run: the same archive and pieces a
    /// push would make (its info-hash differs by the push's nonce).
    public func hash(
        _ manifest: ArchiveManifest,
        progress: @escaping (_ done: Int64, _ total: Int64) -> Void = { _, _ in }
    ) throws(PushError) -> Payload {
        try build(manifest, options: payload, progress: progress, failure: .invalidRequest) { _ in }
    }

    /// One pass over the tree: the tarball to `output`, its torrent returned. A failure is
    /// reported as `failure` (the dry run blames the tree, a push the controller).
    private func build(
        _ manifest: ArchiveManifest,
        options: PayloadOptions,
        progress: @escaping (_ done: Int64, _ total: Int64) -> Void,
        failure: PushError.Kind,
        output: (UnsafeRawBufferPointer) throws -> Void
    ) throws(PushError) -> Payload {
        do {
            return try PayloadBuilder.build(manifest, options: options, progress: { progress($0, manifest.tarLength) }, output: output)
        } catch {
            throw PushError(failure, failure == .controller ? "cannot pack \(source): \(error)" : "\(error)")
        }
    }

    /// What every host's peer is told on its standard input: the torrent, every tracker to
    /// announce to (the built-in one with the push's secret, then the extra ones), where to
    /// install and how long to wait, and the push's peer key and addresses (see
    /// `peerAddresses(controller:hostAddresses:)`), so peers serve only one another; with the
    /// hosts' addresses (`hostAddresses()`), the racks they sit in.
    public func peerJob(
        for payload: PackedPayload, announceURL: String?, peerKey: [UInt8]? = nil, peerAddresses: [String]? = nil,
        releaseID: String? = nil, hostAddresses: [[IPAddress]]
    ) -> PeerJob {
        var job = PeerJob(
            torrent: payload.metainfo.bytes,
            trackers: trackerTiers(announceURL: announceURL).flatMap { $0 },
            destination: destination,
            extractedBytes: payload.extractedBytes,
            tarBytes: payload.tarBytes,
            keepPrevious: keepPrevious,
            seedGraceMilliseconds: seedGrace.inMilliseconds,
            timeoutMilliseconds: timeout.inMilliseconds,
            controllerSilenceMilliseconds: controllerSilence.inMilliseconds,
            peerKey: peerKey,
            peerAddresses: peerAddresses
        )
        job.archiveIndex = payload.archiveIndex
        job.maxRateBitsPerSecond = settings.maxRateBitsPerSecond.map { rate in
            min(max(Int64(rate.rounded()), PeerJob.maxRateRange.lowerBound), PeerJob.maxRateRange.upperBound)
        }
        job.layout = rollout.layout
        job.racks = rackTable(hostAddresses: hostAddresses)
        job.releaseID = releaseID
        job.keepReleases = rollout.keepReleases
        job.waitsForActivation = waitsForActivation
        job.owner = owner
        job.hooks = HookCommands(
            beforeActivate: rollout.beforeActivate, afterActivate: rollout.afterActivate, healthCheck: rollout.healthCheck,
            hookTimeoutMilliseconds: rollout.hookTimeout.inMilliseconds,
            healthTimeoutMilliseconds: rollout.healthTimeout.inMilliseconds,
            healthRetries: rollout.healthRetries,
            healthIntervalMilliseconds: rollout.healthInterval.inMilliseconds)
        return job
    }

    /// Whether hosts stage the tree and wait for their turn (see `ActivationGate`).
    public var waitsForActivation: Bool {
        ActivationGate.isNeeded(together: rollout.activation == .together, canary: rollout.canary, batch: batchSize)
    }

    /// The gate that says when each host switches, for this plan's hosts.
    public func activationGate() -> ActivationGate {
        ActivationGate(
            names: hosts.map(\.name), together: rollout.activation == .together, canary: rollout.canary,
            batch: batchSize, maxFailures: maxFailures)
    }
}
