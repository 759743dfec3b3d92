package passthrough.core.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 hex of a file's bytes: how plans and the journal tell "the same file" from "a changed file". */
public final class FileDigest {
    private FileDigest() {
    }

    public static String of(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The digest of the file at {@code file} (not following a final link), or {@link FileOperation#ABSENT}. */
    static String ofFile(Path file) throws IOException {
        try {
            return of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return FileOperation.ABSENT;
        }
    }

    /** Enough of a digest for a one-line message. */
    static String shortForm(String digest) {
        return digest.equals(FileOperation.ABSENT) ? "absent" : "sha256 " + digest.substring(0, 12) + "…";
    }
}
