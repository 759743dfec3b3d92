package passthrough.it.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import passthrough.api.InvalidPciAddressException;
import passthrough.api.PciAddress;
import passthrough.api.PciId;
import passthrough.core.host.SysfsValues;

/**
 * What the tool reads from sysfs and from the user: PCI addresses ({@link PciAddress}, typed by a user and then used
 * to build sysfs paths), vendor/device/class values ({@link SysfsValues}, which become {@link PciId}s). Only the
 * documented forms are accepted, each round-trips, garbage yields empty or {@link InvalidPciAddressException}, never
 * anything else.
 */
class SysfsAndPciAddressFuzzTest {
    static final String PARSER_ADDRESS = "PCI address (PciAddress)";
    static final String PARSER_SYSFS = "sysfs values, PCI ids (SysfsValues, PciId)";
    /** Any run of ASCII hex digits as the domain; {@link #kernelDomain} then decides whether the kernel prints it so. */
    static final Pattern ADDRESS = Pattern.compile("(?:([0-9a-fA-F]+):)?([0-9a-fA-F]{2}):([01][0-9a-fA-F])\\.([0-7])");
    static final List<String> TOKENS = List.of("0000:", "65:00.0", "0000:65:00.3", "ff:1f.7", "00:20.0", "1:0.0", "65:00.8",
            "10000:00:00.0", "10000:", "ffffffff:", "100000000:", "00000:", "0010000:", "e1:00.0", "1d.0",
            " ", "\n", "0x", "0X", "10de", "2184", "0x030000", "0x10de\n", "ffff", "fffffffff", "ffffffff", "0x7fffffff", "-1", "+1",
            "\u0663", "\uff21", "\u0660\u0661", ";", "$(reboot)", "`id`", "../", "/", ".", ":", "a", "G");

    static Fuzz fuzz(String property) {
        return new Fuzz(property, List.of("65:00.0", "0000:65:00.0", "0x10de\n", "0x030000\n", "1\n"), TOKENS,
                f -> f.token() + f.token() + (f.below(2) == 0 ? f.token() : ""));
    }

    @Test
    void addressesAreTheDocumentedFormsOnlyAndRoundTrip() {
        Fuzz.run(PARSER_ADDRESS, "parse", fuzz("pci address"), Fuzz.INPUTS, input -> {
            Matcher m = ADDRESS.matcher(input.trim());
            boolean valid = m.matches() && Integer.parseInt(m.group(3), 16) <= 0x1f
                    && (m.group(1) == null || kernelDomain(m.group(1)));
            try {
                PciAddress a = PciAddress.parse(input);
                assertTrue(valid, "accepted " + Fuzz.escape(input));
                assertEquals(a, PciAddress.parse(a.toString()));
                assertEquals(a, PciAddress.parse(a.toShortString()));
                assertTrue(a.toString().matches("[0-9a-f]{4,8}:[0-9a-f]{2}:[01][0-9a-f]\\.[0-7]"), a.toString());
                assertEquals(String.format("%04x:%02x:%02x.%d", a.domain(), a.bus(), a.device(), a.function()), a.toString());
                if (m.group(1) != null) assertEquals(m.group(1).toLowerCase(java.util.Locale.ROOT), a.toString().split(":")[0]);
                assertTrue(PciAddress.isValid(input));
            } catch (InvalidPciAddressException e) {
                assertTrue(!valid, "refused " + Fuzz.escape(input));
                assertTrue(e.getMessage().contains("is not a PCI address"), e.getMessage());
                assertTrue(!PciAddress.isValid(input));
            }
        });
    }

    /**
     * The kernel's domain as {@code %04x} prints it (pci_name(): {@code "%04x:%02x:%02x.%d"}, the domain an unsigned
     * 32-bit value): the text is the four-digit-minimum hex spelling of a value below 2^32, case aside.
     */
    static boolean kernelDomain(String text) {
        if (text.length() > 8) return false;
        long v = Long.parseLong(text, 16);
        return String.format("%04x", v).equalsIgnoreCase(text);
    }

    /** The reference: optional blanks, optional 0x, 1..digits ASCII hex digits, a value an int holds. */
    static OptionalInt hex(String text, int digits) {
        String s = text.replaceAll("^[ \\t\\n\\r\\u000b\\f]+|[ \\t\\n\\r\\u000b\\f]+$", "");
        if (s.startsWith("0x") || s.startsWith("0X")) s = s.substring(2);
        if (s.isEmpty() || s.length() > digits || !s.matches("[0-9a-fA-F]+")) return OptionalInt.empty();
        long v = Long.parseLong(s, 16);
        return v > Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of((int) v);
    }

    @Test
    void sysfsHexAndDecimalValuesAreAsciiAndNeverThrow() {
        Fuzz f = fuzz("sysfs");
        Fuzz.run(PARSER_SYSFS, "hex/decimal", f, Fuzz.INPUTS, input -> {
            int digits = 1 + f.below(8);
            OptionalInt ours = SysfsValues.hex(input, digits);
            assertEquals(hex(input, digits), ours, "hex(" + Fuzz.escape(input) + ", " + digits + ")");
            if (ours.isPresent() && digits <= 4) {
                PciId id = new PciId(ours.getAsInt(), ours.getAsInt());
                assertEquals(id.toString(), id.vendorHex() + ":" + id.deviceHex());
            }
            String d = input.replaceAll("^[ \\t\\n\\r\\u000b\\f]+|[ \\t\\n\\r\\u000b\\f]+$", "");
            OptionalInt dec = SysfsValues.decimal(input);
            OptionalInt expected = d.matches("[0-9]{1,9}") ? OptionalInt.of(Integer.parseInt(d)) : OptionalInt.empty();
            assertEquals(expected, dec, "decimal(" + Fuzz.escape(input) + ")");
        });
    }
}
