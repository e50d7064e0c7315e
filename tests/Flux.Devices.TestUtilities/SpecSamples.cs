using Flux.Devices.Testing.Internal;

namespace Flux.Devices.TestUtilities;

/// <summary>The spec's own examples (device-registry.md), verbatim, for tests of every store.</summary>
public static class SpecSamples
{
    /// <summary>The id of the spec's example BESS.</summary>
    public static readonly Guid BessId = ContractSamples.BessId;

    /// <summary>The id of the spec's example grid meter.</summary>
    public static readonly Guid MeterId = ContractSamples.MeterId;

    /// <summary>
    /// The spec's "Put device in maintenance" statement, verbatim but for the schema and the row it picks
    /// (<c>WHERE id = 'device-uuid'</c> in the spec).
    /// </summary>
    /// <param name="schema">The schema, <c>flux</c> as in the spec.</param>
    /// <param name="where">The condition in place of the spec's <c>id = 'device-uuid'</c>.</param>
    /// <returns>The statement.</returns>
    public static string MaintenanceUpdate(string schema, string where) => $$"""
        UPDATE {{schema}}.mg_device_registry
        SET
        active = false,
        metadata = jsonb_set(
        metadata,
        '{maintenance}',
        '{
        "started_at": "2024-01-01T10:00:00Z",
        "reason": "Firmware upgrade",
        "expected_duration": "2 hours"
        }'::jsonb
        )
        WHERE {{where}};
        """;

    /// <summary>The metadata of WLCE-BESS-01, as the spec's INSERT writes it.</summary>
    public const string BessMetadataJson = ContractSamples.BessMetadataJson;

    /// <summary>The metadata of WLCE-GRID-METER, as the spec's INSERT writes it.</summary>
    public const string MeterMetadataJson = ContractSamples.MeterMetadataJson;

    /// <summary>
    /// The spec's <c>templates/powerpack_bess.yaml</c>, verbatim: the spec prints it with its indentation lost, so
    /// <c>device_template:</c>, <c>default_config:</c>, <c>registers:</c> and <c>scaling:</c> head flat lists.
    /// </summary>
    public const string PowerPackTemplateAsPrinted = """
        # templates/powerpack_bess.yaml
        device_template:
        type: bess
        manufacturer: PowerPack
        default_config:
        polling_interval: 60s
        timeout: 5s
        retry_count: 3
        registers:
        soe: 2026
        target_power: 2008
        status: 2000
        available_blocks: 2028
        scaling:
        power: 1.0
        energy: 0.001
        """;

    /// <summary>
    /// The same template as a YAML author indents it: the repository's <c>templates/powerpack_bess.yaml</c>, copied
    /// next to every assembly that references these samples.
    /// </summary>
    public static string PowerPackTemplate => ShippedTemplate.Value;

    private static readonly Lazy<string> ShippedTemplate =
        new(() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "templates", "powerpack_bess.yaml")));

    /// <summary>The spec's BESS registration.</summary>
    public static NewDevice Bess() => ContractSamples.Bess();

    /// <summary>The spec's meter registration.</summary>
    public static NewDevice Meter() => ContractSamples.Meter();

    /// <summary>A valid BESS registration with its own name, site and unit id.</summary>
    public static NewDevice Bess(string name, string site = "WLCE", int modbusAddress = 1) => ContractSamples.Bess(name, site, modbusAddress);

    /// <summary>A valid meter registration with its own name, site and unit id.</summary>
    public static NewDevice Meter(string name, string site = "WLCE", int modbusAddress = 2) => ContractSamples.Meter(name, site, modbusAddress);
}
