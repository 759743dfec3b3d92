package passthrough.cli.json;

import java.util.List;
import passthrough.api.PciDevice;

/** One device in `groups --json`. */
public record DeviceJson(String address, String vendor, String device, String subsystemVendor, String subsystemDevice,
                         String revision, String className, String classCode, String name, String driver,
                         boolean bootVga, boolean bridge, Integer iommuGroup, List<String> claimingModules) {

    public static DeviceJson of(PciDevice d) {
        return new DeviceJson(d.address().toString(), d.id().vendorHex(), d.id().deviceHex(),
                d.subsystem() == null ? null : d.subsystem().vendorHex(),
                d.subsystem() == null ? null : d.subsystem().deviceHex(),
                d.revision() < 0 ? null : String.format("%02x", d.revision()), d.className(),
                d.classCode().toString(), d.displayName(), d.driver(), d.bootVga(), d.classCode().isPciBridge(),
                d.iommuGroup(), d.claimingModules());
    }

    // Jackson names the JSON property after the accessor; "class" is what the shape asks for.
    @com.fasterxml.jackson.annotation.JsonProperty("class")
    public String classCode() {
        return classCode;
    }
}
