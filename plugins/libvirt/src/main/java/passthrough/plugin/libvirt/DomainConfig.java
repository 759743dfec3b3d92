package passthrough.plugin.libvirt;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A domain's persistent configuration as libvirt keeps it ({@code /etc/libvirt/qemu/NAME.xml}, written by libvirt's
 * virDomainDefSave: an auto-generated warning comment, then {@code <domain type=…>} whose first children are
 * {@code <name>} and {@code <uuid>}). Only those two are read; plugins may not use javax.xml (ArchUnit rule 3), so
 * this is a scan after the comments are removed, taking the first {@code <name>}/{@code <uuid>} inside the domain
 * element — which is where libvirt writes them.
 */
record DomainConfig(String name, Optional<String> uuid) {

    private static final Pattern COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
    private static final Pattern DOMAIN = Pattern.compile("<domain[\\s>]");
    private static final Pattern NAME = Pattern.compile("<name>\\s*([^<]*?)\\s*</name>");
    private static final Pattern UUID = Pattern.compile("<uuid>\\s*([0-9a-fA-F-]{32,36})\\s*</uuid>");

    /** The name and uuid of {@code text}, or empty when it is not a domain document with a name. */
    static Optional<DomainConfig> parse(String text) {
        String body = COMMENT.matcher(text).replaceAll("");
        Matcher domain = DOMAIN.matcher(body);
        if (!domain.find()) return Optional.empty();
        body = body.substring(domain.start());
        Matcher name = NAME.matcher(body);
        if (!name.find()) return Optional.empty();
        String n = unescape(name.group(1));
        if (n.isEmpty()) return Optional.empty();
        Matcher uuid = UUID.matcher(body);
        return Optional.of(new DomainConfig(n, uuid.find() ? Optional.of(uuid.group(1).toLowerCase(java.util.Locale.ROOT))
                : Optional.empty()));
    }

    /** The five predefined entities and character references; anything else is kept as written. */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int semi = s.indexOf(';', i);
            if (s.charAt(i) == '&' && semi > i) {
                String ref = s.substring(i + 1, semi);
                String rep = switch (ref) {
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "amp" -> "&";
                    case "apos" -> "'";
                    case "quot" -> "\"";
                    default -> characterReference(ref);
                };
                if (rep != null) {
                    b.append(rep);
                    i = semi + 1;
                    continue;
                }
            }
            b.append(s.charAt(i++));
        }
        return b.toString();
    }

    private static String characterReference(String ref) {
        try {
            if (ref.startsWith("#x") || ref.startsWith("#X")) return Character.toString(Integer.parseInt(ref.substring(2), 16));
            if (ref.startsWith("#")) return Character.toString(Integer.parseInt(ref.substring(1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }
}
