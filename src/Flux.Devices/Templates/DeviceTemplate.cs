using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Templates;

/// <summary>
/// A configuration template, as <c>templates/powerpack_bess.yaml</c> in the spec: which devices it is for (type and
/// manufacturer), their polling defaults, and their register map with its scaling. Load one with
/// <see cref="DeviceTemplateLoader"/>; apply it to a fleet with <see cref="IDeviceTemplateService"/>.
/// </summary>
public sealed class DeviceTemplate
{
    /// <summary>Gets the template's name: its <c>name</c> key, or the file name without extension.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the device type the template is for (<c>bess</c>).</summary>
    public required string DeviceType { get; init; }

    /// <summary>Gets the manufacturer the template is for, when it names one (<c>PowerPack</c>); devices of another are skipped.</summary>
    public string? Manufacturer { get; init; }

    /// <summary>Gets the configuration written to every device the template applies to.</summary>
    public required DeviceConfiguration Configuration { get; init; }

    /// <summary>Gets the points and values that identify the template's devices during discovery (the <c>identify</c> block); empty when it has none.</summary>
    public IReadOnlyList<TemplateFingerprint> Fingerprint { get; init; } = [];

    /// <summary>
    /// Gets the SunSpec model ids that identify the template's devices (its <c>identify: sunspec_models</c>, for
    /// <c>register_map: sunspec</c>): a device whose recorded model chain has any of them is one of the template's;
    /// empty when the template names none.
    /// </summary>
    public IReadOnlyList<int> SunSpecModels { get; init; } = [];
}
