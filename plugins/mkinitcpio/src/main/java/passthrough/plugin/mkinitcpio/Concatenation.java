package passthrough.plugin.mkinitcpio;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Configuration files joined the way mkinitcpio joins them before sourcing ({@code cat main drop-ins... > tmp}): byte
 * for byte, no newline added. So a file whose last line lacks its newline continues onto the next file's first line,
 * and a drop-in can vanish into a comment; reading the joined text is reading what bash reads. Lines of the joined
 * text are named by the file and line they start in.
 */
final class Concatenation {
    private record Piece(String path, int firstLine) {
    }

    private final String text;
    private final List<Piece> pieces;

    private Concatenation(String text, List<Piece> pieces) {
        this.text = text;
        this.pieces = pieces;
    }

    static Concatenation of(List<Map.Entry<String, String>> files) {
        StringBuilder sb = new StringBuilder();
        List<Piece> pieces = new ArrayList<>();
        int line = 1;
        for (Map.Entry<String, String> f : files) {
            // a file continuing the previous one's last line still starts its own count there
            pieces.add(new Piece(f.getKey(), line));
            sb.append(f.getValue());
            for (int i = 0; i < f.getValue().length(); i++) if (f.getValue().charAt(i) == '\n') line++;
        }
        return new Concatenation(sb.toString(), pieces);
    }

    String text() {
        return text;
    }

    /** "etc/mkinitcpio.conf.d/10-chwd.conf line 2" for a 1-based line of the joined text. */
    String locate(int line) {
        Piece at = pieces.isEmpty() ? new Piece(MkinitcpioLoader.MAIN, 1) : pieces.get(0);
        for (Piece p : pieces) if (p.firstLine() <= line) at = p;
        return at.path() + " line " + (line - at.firstLine() + 1);
    }
}
