package passthrough.core.vm;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import passthrough.api.DirectBoot;
import passthrough.api.VmNetwork;

/**
 * The text forms of `vm create`'s options, parsed once here so the CLI stays thin and every refusal names the option,
 * what was given and what is expected.
 */
public final class VmOptionParser {
    /** A libvirt domain name and a file name: no '/', no spaces, nothing a shell or XML would read specially. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(?:\\.(\\d+))?\\s*([KMGT]?)(i?B)?", Pattern.CASE_INSENSITIVE);

    private VmOptionParser() {
    }

    /** Thrown for a value that does not parse; the message names the option and the expected form. */
    public static final class BadOptionException extends Exception {
        private final String code;

        BadOptionException(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    public static String name(String name) throws BadOptionException {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new BadOptionException("INVALID_VM_NAME", "VM name '" + name + "': use 1-64 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit (it becomes a libvirt domain name and a file name)");
        }
        return name;
    }

    /**
     * A size: "8G", "8GiB", "512M", "1.5G"; a bare number is in {@code bareUnit} ('M' for --memory as virt-install,
     * 'G' for a disk's size=).
     */
    public static long bytes(String option, String text, char bareUnit) throws BadOptionException {
        Matcher m = text == null ? null : SIZE.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new BadOptionException("INVALID_SIZE", option + " '" + text + "': not a size; write e.g. 8G, 512M or 64GiB");
        }
        String unit = m.group(3).isEmpty() ? String.valueOf(bareUnit) : m.group(3).toUpperCase(Locale.ROOT);
        long scale = switch (unit) {
            case "K" -> 1L << 10;
            case "M" -> 1L << 20;
            case "G" -> 1L << 30;
            case "T" -> 1L << 40;
            default -> 1;
        };
        try {
            java.math.BigDecimal v = new java.math.BigDecimal(m.group(1) + (m.group(2) == null ? "" : "." + m.group(2)));
            long bytes = v.multiply(java.math.BigDecimal.valueOf(scale)).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
            if (bytes <= 0) throw new ArithmeticException("zero");
            return bytes;
        } catch (ArithmeticException e) {
            throw new BadOptionException("INVALID_SIZE", option + " '" + text + "': must be more than zero and less than 8 EiB");
        }
    }

    /** --memory in MiB (rounded up to whole MiB). */
    public static long memoryMiB(String text) throws BadOptionException {
        long b = bytes("--memory", text, 'M');
        return (b + (1L << 20) - 1) >> 20;
    }

    /** {@code PATH[,size=64G][,format=qcow2|raw]}. */
    public static VmRequest.DiskRequest disk(String text) throws BadOptionException {
        String[] parts = text.split(",", -1);
        String path = parts[0];
        if (!path.startsWith("/")) {
            throw new BadOptionException("INVALID_DISK", "--disk '" + text + "': the path must be absolute, e.g. "
                    + "/var/lib/libvirt/images/win11.qcow2,size=64G");
        }
        Long size = null;
        String format = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("size=")) size = bytes("--disk size=", p.substring(5), 'G');
            else if (p.equals("format=qcow2") || p.equals("format=raw")) format = p.substring(7);
            else throw new BadOptionException("INVALID_DISK", "--disk '" + text + "': unknown part '" + p
                    + "'; the form is PATH[,size=64G][,format=qcow2|raw]");
        }
        return new VmRequest.DiskRequest(path, size, format);
    }

    /** default | bridge=BR | user | none. */
    public static VmNetwork network(String text) throws BadOptionException {
        if (text == null || text.equals("default")) return VmNetwork.of(VmNetwork.Kind.DEFAULT);
        if (text.equals("user")) return VmNetwork.of(VmNetwork.Kind.USER);
        if (text.equals("none")) return VmNetwork.of(VmNetwork.Kind.NONE);
        if (text.startsWith("bridge=") && text.substring(7).matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}")) {
            return new VmNetwork(VmNetwork.Kind.BRIDGE, text.substring(7));
        }
        throw new BadOptionException("INVALID_NETWORK", "--network '" + text + "': use default, user, none or bridge=NAME "
                + "(an interface name: up to 15 letters, digits, '_', '.', '-')");
    }

    /** {@code kernel=PATH[,initrd=PATH][,cmdline=TEXT]}; cmdline comes last and takes the rest, commas included. */
    public static DirectBoot boot(String text) throws BadOptionException {
        String kernel = null;
        String initrd = null;
        String cmdline = null;
        String rest = text;
        while (!rest.isEmpty()) {
            if (rest.startsWith("cmdline=")) {
                cmdline = rest.substring(8);
                break;
            }
            int comma = rest.indexOf(',');
            String part = comma < 0 ? rest : rest.substring(0, comma);
            rest = comma < 0 ? "" : rest.substring(comma + 1);
            if (part.startsWith("kernel=")) kernel = part.substring(7);
            else if (part.startsWith("initrd=")) initrd = part.substring(7);
            else throw new BadOptionException("INVALID_BOOT", "--boot '" + text + "': unknown part '" + part
                    + "'; the form is kernel=PATH[,initrd=PATH][,cmdline=TEXT]");
        }
        if (kernel == null || !kernel.startsWith("/") || initrd != null && !initrd.startsWith("/")) {
            throw new BadOptionException("INVALID_BOOT", "--boot '" + text + "': kernel= (and initrd=) need absolute paths");
        }
        return new DirectBoot(kernel, initrd, cmdline);
    }
}
