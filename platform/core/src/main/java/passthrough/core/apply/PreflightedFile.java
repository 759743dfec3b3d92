package passthrough.core.apply;

/**
 * A file operation after every check passed: where it goes, what it does, and what the file was.
 *
 * @param currentBytes the bytes now (backed up before writing), or null when absent
 * @param newContent   the bytes to write, or null to delete
 * @param ownership    the current file's, or {@link Ownership#NEW_FILE} for a file to create: what a restore gives back
 * @param newOwnership what the written file gets: the same, plus execute bits when the plan asks for them
 */
record PreflightedFile(ResolvedTarget target, FileAction action, String digestBefore, String digestAfter,
                   byte[] currentBytes, byte[] newContent, Ownership ownership, Ownership newOwnership) {
}
