package passthrough.cli.json;

import java.util.List;

/** `groups --json`: groups sorted by id, devices by address; devices without a group when the IOMMU is off. */
public record GroupsJson(boolean iommuActive, List<GroupJson> groups, List<DeviceJson> ungroupedDevices) {

    public record GroupJson(int id, boolean hasDisplay, List<DeviceJson> devices) {
    }
}
