package passthrough.api;

import java.util.Objects;

/**
 * The guest's UEFI firmware (OVMF), as the core chose it from the QEMU firmware descriptors
 * ({@code /usr/share/qemu/firmware/*.json}) or the distribution profile's candidates.
 *
 * @param code         absolute path of the read-only code image, e.g. /usr/share/OVMF/OVMF_CODE_4M.fd
 * @param varsTemplate absolute path of the variables template the VM's own copy is made from
 * @param format       "raw" or "qcow2", as the descriptor says (raw when no descriptor)
 * @param secureBoot   the code image enforces Secure Boot
 * @param descriptor   the descriptor file it came from (relative to the root), or null when from a profile
 */
public record Firmware(String code, String varsTemplate, String format, boolean secureBoot, String descriptor) {

    public Firmware {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(varsTemplate, "varsTemplate");
        format = format == null ? "raw" : format;
    }
}
