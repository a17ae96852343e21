import Push

/// A packed release (`push --torrent`) checked against its torrent before anything is
/// contacted, with a progress line while its tarball is read: for a push and its dry run alike.
enum ReleaseCheck {
    static func run(_ plan: PushPlan, torrent: String, quiet: Bool) throws(CommandFailure) -> PackedPayload {
        var progress: ProgressLine?
        let release = try CommandFailure.push { () throws(PushError) in
            try PackedPayload.release(torrent: torrent, payload: plan.payloadFile, seeding: plan.localSeed) { done, total in
                if progress == nil { progress = ProgressLine(label: "checking", total: total, quiet: quiet) }
                progress?.update(done)
            }
        }
        progress?.finish()
        return release
    }
}
