package passthrough.api;

import java.util.Objects;

/**
 * Boot a Linux kernel directly instead of the firmware's boot menu (virt-install's {@code --boot kernel=}).
 *
 * @param kernel  absolute path of the kernel image on the host
 * @param initrd  absolute path of the initramfs, or null
 * @param cmdline the guest kernel's command line, or null
 */
public record DirectBoot(String kernel, String initrd, String cmdline) {

    public DirectBoot {
        Objects.requireNonNull(kernel, "kernel");
    }
}
