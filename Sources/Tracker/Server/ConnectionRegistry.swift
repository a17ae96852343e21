import NIOCore
import Synchronization

/// The server's open connections, so `shutdown()` can close them rather
/// than leave keep-alive connections to their idle timeout. Once closed,
/// connections that arrive late are closed as soon as they are added.
actor ConnectionRegistry {
    private var channels: [ObjectIdentifier: any Channel] = [:]
    private var isClosed = false
    /// Connections open now, counted synchronously as they are accepted (the actor's own
    /// list lags behind by a hop), for the cap.
    private nonisolated let open = Atomic<Int>(0)

    /// Counts a new connection in, unless `limit` are open already. An admitted connection
    /// is counted out when it closes.
    nonisolated func admit(_ channel: any Channel, limit: Int) -> Bool {
        let (_, admitted) = open.add(1, ordering: .relaxed)
        guard admitted <= limit else {
            open.subtract(1, ordering: .relaxed)
            return false
        }
        channel.closeFuture.whenComplete { _ in self.open.subtract(1, ordering: .relaxed) }
        return true
    }

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
