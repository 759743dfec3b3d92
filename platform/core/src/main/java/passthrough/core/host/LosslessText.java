package passthrough.core.host;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import passthrough.api.FileOrigin;

/**
 * Bytes of a configuration file as text that encodes back to exactly those bytes. Valid UTF-8 is read as UTF-8 (Java's
 * strict decoder refuses overlong forms and surrogates, so what it accepts re-encodes byte for byte); anything else
 * as ISO-8859-1, where every byte is one character. Replacing bad bytes with U+FFFD, as {@code new String(bytes,
 * UTF_8)} does, would write EF BF BD back in place of a Latin-1 byte the user never asked us to touch.
 */
public final class LosslessText {
    private LosslessText() {
    }

    /** The text and the character set that gives the bytes back. */
    public record Decoded(String text, String charset) {
    }

    public static Decoded decode(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return new Decoded(text, FileOrigin.UTF_8);
        } catch (CharacterCodingException e) {
            return new Decoded(new String(bytes, StandardCharsets.ISO_8859_1), FileOrigin.LATIN_1);
        }
    }

    /**
     * {@code text} in {@code charset}; {@link CharacterCodingException} when a character cannot be written in it (a
     * non-Latin-1 character added to a Latin-1 file): refused, never replaced by '?'.
     */
    public static byte[] encode(String text, String charset) throws CharacterCodingException {
        Charset cs = FileOrigin.LATIN_1.equals(charset) ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
        ByteBuffer b = cs.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
