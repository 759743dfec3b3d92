package passthrough.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PCI function address, domain:bus:device.function. Accepts the short form lspci prints
 * ({@code 65:00.0}) and the full form sysfs uses ({@code 0000:65:00.0}); anything else is refused,
 * because an address is often typed by a user and then used to build sysfs paths.
 *
 * <p>The domain is what the kernel prints with {@code %04x:%02x:%02x.%d}: an unsigned 32-bit value of at least four
 * hex digits, so Intel VMD's domains ({@code 10000:e1:00.0}) have five and up to eight are possible. A domain of
 * more than four digits never starts with 0 in the kernel's form, so such text ({@code 00000:65:00.0}) is refused
 * too: every accepted full form is the kernel's own spelling of the address (case aside).
 */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {

    private static final Pattern FORM =
            Pattern.compile("(?:([0-9a-fA-F]{4}|[1-9a-fA-F][0-9a-fA-F]{4,7}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\\.([0-7])");

    /** {@code domain} is unsigned: every int is a domain (the kernel's is a 32-bit value printed with %04x). */
    public PciAddress {
        if (bus < 0 || bus > 0xff) throw new IllegalArgumentException("PCI bus out of range: " + bus);
        if (device < 0 || device > 0x1f) throw new IllegalArgumentException("PCI device out of range: " + device);
        if (function < 0 || function > 7) throw new IllegalArgumentException("PCI function out of range: " + function);
    }

    /** Parses {@code 65:00.0} or {@code 0000:65:00.0}; throws {@link InvalidPciAddressException} otherwise. */
    public static PciAddress parse(String text) {
        if (text == null) throw new InvalidPciAddressException(null);
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) throw new InvalidPciAddressException(text);
        int device = Integer.parseInt(m.group(3), 16);
        if (device > 0x1f) throw new InvalidPciAddressException(text);
        return new PciAddress(m.group(1) == null ? 0 : Integer.parseUnsignedInt(m.group(1), 16),
                Integer.parseInt(m.group(2), 16), device, Integer.parseInt(m.group(4)));
    }

    /** Whether {@code text} is a well-formed address (for filtering directory listings). */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (InvalidPciAddressException e) {
            return false;
        }
    }

    /** Same slot: the functions of one multifunction card (GPU + its audio, USB, UCSI). */
    public boolean sameSlot(PciAddress other) {
        return domain == other.domain && bus == other.bus && device == other.device;
    }

    /** {@code 0000:65:00.0}, the sysfs name (the kernel's {@code %04x} domain: {@code 10000:e1:00.0} behind VMD). */
    @Override
    public String toString() {
        return String.format("%04x:%02x:%02x.%x", domain, bus, device, function);
    }

    /** {@code 65:00.0} as lspci prints it for domain 0; the full form for every other domain. */
    public String toShortString() {
        return domain == 0 ? String.format("%02x:%02x.%x", bus, device, function) : toString();
    }

    @Override
    public int compareTo(PciAddress o) {
        int c = Integer.compareUnsigned(domain, o.domain);
        if (c == 0) c = Integer.compare(bus, o.bus);
        if (c == 0) c = Integer.compare(device, o.device);
        if (c == 0) c = Integer.compare(function, o.function);
        return c;
    }
}
