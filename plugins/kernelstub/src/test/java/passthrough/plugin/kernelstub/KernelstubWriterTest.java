package passthrough.plugin.kernelstub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.HostFacts;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;

class KernelstubWriterTest {
    /** Pop!_OS 22.04's file as kernelstub saves it (json.dump, indent 2, no final newline). */
    static final String POP = "{\n  \"default\": {\n    \"kernel_options\": [\n      \"quiet\",\n      \"splash\"\n    ],\n"
            + "    \"esp_path\": \"/boot/efi\",\n    \"setup_loader\": false,\n    \"manage_mode\": false,\n"
            + "    \"force_update\": false,\n    \"live_mode\": false,\n    \"config_rev\": 3\n  },\n  \"user\": {\n"
            + "    \"kernel_options\": [\n      \"quiet\",\n      \"loglevel=0\",\n      \"systemd.show_status=false\",\n"
            + "      \"splash\"\n    ],\n    \"esp_path\": \"/boot/efi\",\n    \"setup_loader\": true,\n"
            + "    \"manage_mode\": true,\n    \"force_update\": false,\n    \"live_mode\": false,\n    \"config_rev\": 3\n  }\n}";
    private final KernelstubWriter writer = new KernelstubWriter();

    static HostFacts host(String config) {
        return HostFacts.builder().files(config == null ? Map.of() : Map.of(KernelstubConfig.PATH, config))
                .commands(Set.of("kernelstub")).build();
    }

    static KernelParametersChange change(List<String> set, List<String> remove) {
        return new KernelParametersChange(set.stream().map(KernelParameter::parse).toList(),
                remove.stream().map(KernelParameter::parse).toList(), "test");
    }

    @Test
    void readsTheUsersOptions() {
        assertTrue(writer.manages(host(POP)));
        assertFalse(writer.manages(host(null)));
        assertFalse(writer.manages(HostFacts.builder().files(Map.of(KernelstubConfig.PATH, POP)).commands(Set.of()).build()));
        assertEquals("quiet loglevel=0 systemd.show_status=false splash", writer.configuredCommandLine(host(POP)).toString());
        // no user section: kernelstub copies the default's
        String defaultsOnly = "{\"default\": {\"kernel_options\": \"quiet splash\", \"config_rev\": 2}}";
        assertEquals("quiet splash", writer.configuredCommandLine(host(defaultsOnly)).toString());
    }

    @Test
    void addsWithDashAAndUndoesWithTheWholeOldLine() {
        Contribution c = writer.change(host(POP), change(List.of("intel_iommu=on", "iommu=pt"), List.of()));
        CommandChange cmd = (CommandChange) c.changes().get(0);
        assertEquals(List.of("kernelstub", "-a", "intel_iommu=on iommu=pt"), cmd.argv());
        assertEquals(List.of("kernelstub", "-o", "quiet loglevel=0 systemd.show_status=false splash"), ((passthrough.api.CommandUndo.Run) cmd.undo()).argv());
        assertEquals(1, c.changes().size(), "kernelstub saves its configuration itself");
    }

    @Test
    void aChangeOrRemovalGivesTheWholeLineSinceDashDReorders() {
        String withOff = POP.replace("      \"splash\"\n    ],\n    \"esp_path\": \"/boot/efi\",\n    \"setup_loader\": true",
                "      \"splash\",\n      \"intel_iommu=off\"\n    ],\n    \"esp_path\": \"/boot/efi\",\n    \"setup_loader\": true");
        Contribution c = writer.change(host(withOff), change(List.of("intel_iommu=on"), List.of()));
        CommandChange cmd = (CommandChange) c.changes().get(0);
        assertEquals(List.of("kernelstub", "-o", "quiet loglevel=0 systemd.show_status=false splash intel_iommu=on"), cmd.argv());
        assertEquals(List.of("kernelstub", "-o", "quiet loglevel=0 systemd.show_status=false splash intel_iommu=off"), ((passthrough.api.CommandUndo.Run) cmd.undo()).argv());
    }

    @Test
    void aBrokenConfigurationIsRefusedWithItsLine() {
        Contribution c = writer.change(host(POP.replace("\"splash\"\n    ],\n    \"esp_path\": \"/boot/efi\",\n    \"setup_loader\": true",
                "\"splash\"\n    ],,\n    \"esp_path\": \"/boot/efi\",\n    \"setup_loader\": true")), change(List.of("intel_iommu=on"), List.of()));
        assertTrue(c.changes().isEmpty());
        assertEquals("KERNELSTUB_CONFIG_UNREADABLE", c.findings().get(0).code());
        assertTrue(c.findings().get(0).message().startsWith("etc/kernelstub/configuration line 20: not valid JSON"),
                c.findings().get(0).message());
        Contribution rev = writer.change(host(POP.replace("\"config_rev\": 3\n  }\n}", "\"config_rev\": 4\n  }\n}")),
                change(List.of("intel_iommu=on"), List.of()));
        assertTrue(rev.findings().get(0).message().contains("config_rev is 4"), rev.findings().toString());
        Contribution none = writer.change(host(null), change(List.of("intel_iommu=on"), List.of()));
        assertEquals("KERNELSTUB_CONFIG_MISSING", none.findings().get(0).code());
    }

    @Test
    void quotedWordsOfAnOldStringAreRejoinedAsKernelstubDoes() {
        assertEquals(List.of("quiet", "a=\"x y\"", "b"), KernelstubConfig.rejoinQuoted(List.of("quiet", "a=\"x", "y\"", "b")));
    }
}
