import Archive
import Deploy

/// `push --dry-run`: pack and hash for real (to nowhere), contact no host, describe the plan.
enum DryRun {
    static func plan(_ request: PushRequest, quiet: Bool) throws(CommandFailure) -> DryRunPlan {
        let settings = request.settings
        let manifest = try request.scanSource()
        let options = request.payloadOptions
        let progress = ProgressLine(label: "hashing", total: manifest.tarLength, quiet: quiet)
        let payload: Payload
        do {
            payload = try PayloadBuilder.build(manifest, options: options, progress: progress.update) { _ in }
        } catch {
            throw .badInput(error)
        }
        progress.finish()

        // Where hosts would reach us: the route to the first host decides, unless --listen says.
        var controllerAddress = settings.listen
        var controllerAddressProblem: String?
        if controllerAddress == nil, let first = request.hosts.first {
            do {
                controllerAddress = try ControllerAddress.detect(
                    towards: first.address.host, port: first.address.port ?? settings.port
                )
            } catch {
                controllerAddressProblem = String(describing: error)
            }
        }
        return DryRunPlan(
            DryRunInput(
                source: request.source,
                destination: request.destination,
                hostsFile: request.hostsFile,
                hosts: request.hosts,
                fileCount: manifest.fileCount,
                directoryCount: manifest.directoryCount,
                symlinkCount: manifest.symlinkCount,
                payloadBytes: manifest.payloadBytes,
                archiveBytes: payload.archiveLength,
                compressed: settings.gzipLevel != nil,
                pieceLength: payload.metainfo.pieceLength,
                pieceCount: payload.metainfo.pieceCount,
                infoHash: payload.metainfo.infoHash.hex,
                settings: settings,
                controllerAddress: controllerAddress,
                controllerAddressProblem: controllerAddressProblem
            )
        )
    }
}
