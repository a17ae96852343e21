import Glibc

/// Prints and flushes at once: standard output into a pipe or file is block-buffered, and the
/// lines of long-running commands (an announce URL, "complete") must reach a log or a caller
/// when they happen, not when the command exits.
func printLine(_ line: String) {
    print(line)
    fflush(nil)
}
