import NIOCore

/// The server's open connections, so `shutdown()` can close them rather
/// than leave keep-alive connections to their idle timeout. Once closed,
/// connections that arrive late are closed as soon as they are added.
actor ConnectionRegistry {
    private var channels: [ObjectIdentifier: any Channel] = [:]
    private var isClosed = false

    func add(_ channel: any Channel) {
        if isClosed {
            channel.close(promise: nil)
            return
        }
        channels[ObjectIdentifier(channel)] = channel
        // Registered here, after the insertion, so a removal never overtakes it.
        channel.closeFuture.whenComplete { _ in
            Task { await self.remove(channel) }
        }
    }

    func remove(_ channel: any Channel) {
        channels[ObjectIdentifier(channel)] = nil
    }

    var count: Int { channels.count }

    func closeAll() {
        isClosed = true
        for channel in channels.values {
            channel.close(promise: nil)
        }
        channels = [:]
    }
}
