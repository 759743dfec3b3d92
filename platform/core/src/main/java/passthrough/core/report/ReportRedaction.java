package passthrough.core.report;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a host report must not carry even though a plugin reads it: libvirt domain definitions
 * ({@code etc/libvirt/qemu/*.xml}, read by the libvirt plugin for the domains' names and uuids) may hold the SPICE/VNC
 * password of a VM ({@code <graphics passwd='...'>}). A report goes to bug trackers, so each such attribute value is
 * replaced; the file stays well-formed and a replay still sees every domain.
 */
final class ReportRedaction {
    static final String REDACTED = "redacted-by-passthrough-report";
    private static final Pattern PASSWD = Pattern.compile("(\\bpasswd\\s*=\\s*)(['\"])(.*?)\\2", Pattern.DOTALL);

    private ReportRedaction() {
    }

    static byte[] redact(String path, byte[] bytes) {
        if (!path.endsWith(".xml")) return bytes;
        String text = new String(bytes, StandardCharsets.ISO_8859_1); // byte for byte, whatever the encoding
        Matcher m = PASSWD.matcher(text);
        if (!m.find()) return bytes;
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + r.group(2) + REDACTED + r.group(2)))
                .getBytes(StandardCharsets.ISO_8859_1);
    }
}
