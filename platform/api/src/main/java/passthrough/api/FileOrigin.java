package passthrough.api;

import java.util.Objects;

/**
 * Where the text of one of {@link HostFacts#files()} came from: the digest of the exact bytes that were read, and
 * the character set that turns those bytes into that text and back without losing one. A plan records the digest
 * of what its plugins saw (never of a later read), and its edit is written back in the same character set, so a
 * Latin-1 byte in a comment of /etc/default/grub comes back as that byte.
 *
 * @param sha256  hex SHA-256 of the bytes read
 * @param charset "UTF-8" when the bytes are valid UTF-8, else "ISO-8859-1" (every byte one character)
 */
public record FileOrigin(String sha256, String charset) {
    public static final String UTF_8 = "UTF-8";
    public static final String LATIN_1 = "ISO-8859-1";

    public FileOrigin {
        Objects.requireNonNull(sha256, "sha256");
        if (!UTF_8.equals(charset) && !LATIN_1.equals(charset)) {
            throw new IllegalArgumentException("charset must be UTF-8 or ISO-8859-1: " + charset);
        }
    }
}
