/// The one error type of the Archive module.
///
/// `code` says what kind of failure it was (callers compare it), `path` names the
/// file or archive entry involved, `offset` the byte offset in the tar stream
/// where known, and `description` reads as a full sentence with the remedy.
public struct ArchiveError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: Sendable, Equatable {
        /// A system call failed (open, read, write, mkdir, ...).
        case io
        /// A write or create found the file system full, or the user's quota used up.
        case noSpace
        /// The tree holds something that cannot be archived (socket, FIFO, device, non-UTF-8 name).
        case unsupportedFileType
        /// A file changed between scanning and packing.
        case changedDuringArchive
        /// A manifest entry is not a valid relative path.
        case invalidEntry
        /// The archive bytes are not a well-formed tar/gzip stream.
        case malformedArchive
        /// An archive entry would write outside the destination or is otherwise unsafe.
        case unsafeEntry
        /// A size, count or ratio limit was exceeded.
        case limitExceeded
        /// zlib reported an error.
        case compression
        /// The extraction destination exists and is not an empty directory.
        case destinationNotEmpty
    }

    public let code: Code
    public let path: String?
    public let offset: Int64?
    public let message: String

    public init(_ code: Code, path: String? = nil, offset: Int64? = nil, _ message: String) {
        self.code = code
        self.path = path
        self.offset = offset
        self.message = message
    }

    public var description: String {
        var text = ""
        if let path {
            text += "'\(path)': "
        }
        text += message
        if let offset {
            text += " (tar byte offset \(offset))"
        }
        return text
    }
}

extension ArchiveError {
    static func unsafe(_ path: String, offset: Int64?, _ why: String) -> ArchiveError {
        ArchiveError(.unsafeEntry, path: path, offset: offset, "refused: \(why); the archive is unsafe to extract, check where it came from")
    }

    static func malformed(_ message: String, path: String? = nil, offset: Int64?) -> ArchiveError {
        ArchiveError(.malformedArchive, path: path, offset: offset, message)
    }
}
