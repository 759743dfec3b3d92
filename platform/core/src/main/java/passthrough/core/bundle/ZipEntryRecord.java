package passthrough.core.bundle;

/**
 * One entry as the zip's central directory declares it: nothing here is trusted until {@link SafeZipReader} has
 * checked it against the limits and the bytes actually inflated.
 *
 * @param unixMode the st_mode bits a Unix zipper stored in the external attributes, or -1 when it stored none
 */
record ZipEntryRecord(String name, int flags, int method, long crc, long compressedSize, long declaredSize,
                      int unixMode, boolean dosDirectory, long localHeaderOffset) {
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;

    boolean isDirectory() {
        return name.endsWith("/") || dosDirectory || (unixMode >= 0 && (unixMode & S_IFMT) == S_IFDIR);
    }

    boolean isSymbolicLink() {
        return unixMode >= 0 && (unixMode & S_IFMT) == S_IFLNK;
    }

    /** A device, fifo or socket: a Unix type that is neither a regular file, a directory nor a link. */
    boolean isSpecialFile() {
        int type = unixMode >= 0 ? unixMode & S_IFMT : 0;
        return type != 0 && type != S_IFREG && type != S_IFDIR && type != S_IFLNK;
    }

    boolean isEncrypted() {
        return (flags & 1) != 0;
    }
}
