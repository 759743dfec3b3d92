package passthrough.plugin.libvirt;

/**
 * A small, deterministic XML writer: two-space indentation, attributes in the order given, single-quoted as libvirt
 * writes its own documents, every value escaped. Plugins may depend on java.* only (ArchUnit rule 3), so the JDK's
 * javax.xml is out of reach; this class is the careful escaper instead.
 */
final class Xml {
    private final StringBuilder out = new StringBuilder();
    private int depth;

    /** {@code <name a='v' …>} and a line break; close it with {@link #close(String)}. */
    Xml open(String name, String... attributes) {
        indent().append('<').append(name);
        attributes(attributes);
        out.append(">\n");
        depth++;
        return this;
    }

    Xml close(String name) {
        depth--;
        indent().append("</").append(name).append(">\n");
        return this;
    }

    /** {@code <name a='v' …/>}. */
    Xml empty(String name, String... attributes) {
        indent().append('<').append(name);
        attributes(attributes);
        out.append("/>\n");
        return this;
    }

    /** {@code <name a='v' …>text</name>}. */
    Xml text(String name, String text, String... attributes) {
        indent().append('<').append(name);
        attributes(attributes);
        out.append('>').append(escape(text, name, false)).append("</").append(name).append(">\n");
        return this;
    }

    /** A comment; "--" cannot appear in one, so it is refused. */
    Xml comment(String text) {
        checkCharacters(text, "comment");
        if (text.contains("--") || text.endsWith("-")) throw new IllegalArgumentException("an XML comment cannot hold '--': " + text);
        indent().append("<!-- ").append(text).append(" -->\n");
        return this;
    }

    @Override
    public String toString() {
        if (depth != 0) throw new IllegalStateException("unclosed elements: " + depth);
        return out.toString();
    }

    private void attributes(String... attributes) {
        if (attributes.length % 2 != 0) throw new IllegalArgumentException("attributes come in name/value pairs");
        for (int i = 0; i < attributes.length; i += 2) {
            out.append(' ').append(attributes[i]).append("='").append(escape(attributes[i + 1], attributes[i], true)).append('\'');
        }
    }

    private StringBuilder indent() {
        return out.append("  ".repeat(depth));
    }

    /**
     * The text with {@code & < >} (and in attributes both quotes, and tab/CR/LF as character references, which
     * attribute-value normalisation would otherwise turn into spaces) escaped; a character XML 1.0 cannot carry at all
     * (NUL and the other C0 controls, lone surrogates, U+FFFE/U+FFFF) is refused, naming {@code what}.
     */
    static String escape(String text, String what, boolean attribute) {
        checkCharacters(text, what);
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '\'' -> b.append(attribute ? "&apos;" : "'");
                case '"' -> b.append(attribute ? "&quot;" : "\"");
                case '\t' -> b.append(attribute ? "&#9;" : "\t");
                case '\n' -> b.append(attribute ? "&#10;" : "\n");
                case '\r' -> b.append("&#13;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static void checkCharacters(String text, String what) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            boolean ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                    || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
            if (!ok || (Character.isSurrogate(text.charAt(i)) && Character.charCount(cp) == 1)) {
                throw new IllegalArgumentException(what + " holds the character U+" + String.format("%04X", cp)
                        + ", which an XML document cannot carry: '" + text.replace("\0", "\\0") + "'");
            }
            i += Character.charCount(cp);
        }
    }
}
