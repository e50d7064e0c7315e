namespace Flux.Devices.Diagnostics;

/// <summary>Stable logger category names, so that hosts can tune levels per area.</summary>
internal static class LogCategories
{
    public const string Registry = "Flux.Devices.Registry";
    public const string Lifecycle = "Flux.Devices.Lifecycle";
    public const string Groups = "Flux.Devices.Groups";
    public const string Maintenance = "Flux.Devices.Maintenance";
    public const string Notifications = "Flux.Devices.Notifications";
}
