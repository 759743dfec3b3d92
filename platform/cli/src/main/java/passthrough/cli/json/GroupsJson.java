package passthrough.cli.json;

import java.util.List;

/**
 * `groups --json`: groups sorted by id, devices by address; devices without a group when the IOMMU is off; with
 * `--usb` the USB controllers and what hangs off them ({@code usb}, null without --usb).
 */
public record GroupsJson(boolean iommuActive, List<GroupJson> groups, List<DeviceJson> ungroupedDevices, UsbJson usb) {

    public GroupsJson(boolean iommuActive, List<GroupJson> groups, List<DeviceJson> ungroupedDevices) {
        this(iommuActive, groups, ungroupedDevices, null);
    }

    public record GroupJson(int id, boolean hasDisplay, List<DeviceJson> devices) {
    }

    /** `groups --usb`: every USB controller, the keyboards not on USB, what could not be read. */
    public record UsbJson(List<ControllerJson> controllers, List<String> otherKeyboards,
                          List<CheckJson.FindingJson> problems) {
    }

    public record ControllerJson(String address, String name, String driver, Integer iommuGroup, boolean alone,
                                 List<String> groupMates, boolean holdsRootDisk, String critical, boolean onlyKeyboard,
                                 List<UsbDeviceJson> devices) {
    }

    public record UsbDeviceJson(String port, String vendor, String product, String manufacturer, String productName,
                                boolean hub, boolean keyboard, boolean mouse, List<InputJson> inputs, List<DiskJson> disks) {
    }

    public record InputJson(String input, String name, String kind) {
    }

    public record DiskJson(String name, List<String> partitions, boolean rootFilesystem) {
    }
}
