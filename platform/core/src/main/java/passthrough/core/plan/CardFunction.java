package passthrough.core.plan;

/**
 * One function of the GPU's card (its slot: the GPU, its HDMI audio, USB-C, UCSI) and what the plan does with it. A
 * card's functions can sit in different IOMMU groups (a Radeon whose audio is alone in the next group behind the
 * card's own switch; an APU whose audio shares a group with chipset devices): a VM wants the whole card.
 *
 * @param address  sysfs address
 * @param name     class and device name
 * @param group    its IOMMU group, null when the IOMMU is off
 * @param reserved whether this plan reserves it
 * @param why      why it is or is not reserved: "in the GPU's group", "--with-siblings: its group holds only this
 *                 card's functions", or the reason it cannot be taken
 */
public record CardFunction(String address, String name, Integer group, boolean reserved, String why) {
}
