package passthrough.api;

import java.util.Objects;

/**
 * Something a VM definition must say beyond its devices, with one shared name, so a misspelt feature cannot exist:
 * the set is closed (sealed) and every {@link Hypervisor} renders each kind. Two quirks asking for the same
 * {@link #key()} with different values conflict, and the core refuses the VM naming both, as it refuses two plugins
 * editing one file.
 */
public sealed interface VmFeature {

    /** The shared name shown to users and in JSON, e.g. "hide-kvm". */
    String name();

    /** What must not be asked twice with different values: the name, and the device for a device feature. */
    default String key() {
        return name();
    }

    /** The value, for messages ("" for on/off features). */
    default String value() {
        return "";
    }

    /** Hide the KVM signature from the guest (NVIDIA's drivers before R465 stop with error 43 when they see it). */
    record HideKvm() implements VmFeature {
        public String name() {
            return "hide-kvm";
        }
    }

    /** A Hyper-V vendor id (1-12 characters) instead of KVM's, for the same drivers. */
    record HypervVendorId(String id) implements VmFeature {
        public HypervVendorId {
            Objects.requireNonNull(id, "id");
            if (id.isEmpty() || id.length() > 12 || !id.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '\'' && c != '"'
                    && c != ',' && c != '<' && c != '>' && c != '&' && c != '\\')) {
                throw new IllegalArgumentException("a Hyper-V vendor id is 1-12 printable ASCII characters without quotes, "
                        + "commas or markup: '" + id + "'");
            }
        }

        public String name() {
            return "hyperv-vendor-id";
        }

        public String value() {
            return id;
        }
    }

    /** The interrupt controller in KVM, not split (q35's split irqchip since QEMU 4.0 breaks NVIDIA's drivers). */
    record KvmIoapic() implements VmFeature {
        public String name() {
            return "kvm-ioapic";
        }
    }

    /** SPICE's server mouse mode (the client mode leaves the pointer stuck or offset with a passed-through GPU). */
    record SpiceServerMouse() implements VmFeature {
        public String name() {
            return "spice-server-mouse";
        }
    }

    /** The guest gets the host CPU's physical address width, so the firmware can place large BARs high. */
    record HostPhysBits() implements VmFeature {
        public String name() {
            return "host-phys-bits";
        }
    }

    /** OVMF's 64-bit PCI MMIO window, in MiB (fw_cfg opt/ovmf/X-PciMmio64Mb). */
    record PciMmio64Window(long mib) implements VmFeature {
        public PciMmio64Window {
            if (mib < 1) throw new IllegalArgumentException("the PCI MMIO window must be positive: " + mib);
        }

        public String name() {
            return "pci-mmio64-window";
        }

        public String value() {
            return mib + " MiB";
        }
    }

    /** A feature of one passed-through function rather than of the whole VM. */
    sealed interface DeviceFeature extends VmFeature {
        PciAddress device();

        @Override
        default String key() {
            return name() + "@" + device();
        }
    }

    /** Do not expose the function's option ROM to the guest (a compute card whose ROM the guest must not run). */
    record RomBarOff(PciAddress device) implements DeviceFeature {
        public RomBarOff {
            Objects.requireNonNull(device, "device");
        }

        public String name() {
            return "rom-bar-off";
        }
    }
}
