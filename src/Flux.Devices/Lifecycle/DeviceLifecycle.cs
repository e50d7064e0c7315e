using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Flux.Devices.Lifecycle;

/// <summary>
/// The device lifecycle as a fixed transition table: the spec's six transitions plus what operators need and
/// the spec leaves out (leaving maintenance through <see cref="DeviceState.Testing"/>, retrying a failed device,
/// taking a failed device into maintenance, and decommissioning from any state but the terminal one).
/// </summary>
/// <remarks>
/// The table only says what is permitted. The authoritative transition is a compare-and-set in the store,
/// done by <see cref="IDeviceRegistry.FireAsync"/>, because the command line and a polling host are separate
/// processes. <see cref="ToMermaid"/> draws the table; the diagram of docs/library.md is checked against it by a test.
/// </remarks>
public static class DeviceLifecycle
{
    private static readonly int StateCount = Enum.GetValues<DeviceState>().Length;
    private static readonly int TriggerCount = Enum.GetValues<DeviceTrigger>().Length;

    private static readonly LifecycleTransition[] Table =
    [
        // The spec's table, row by row.
        Row(DeviceState.Registered, DeviceTrigger.DeployConfig, DeviceState.Configured, LifecycleAction.UpdateMetadata, "Config deployment", fromSpec: true),
        Row(DeviceState.Configured, DeviceTrigger.PollAttempted, DeviceState.Testing, LifecycleAction.VerifyCommunication, "First poll attempt", fromSpec: true),
        Row(DeviceState.Testing, DeviceTrigger.PollSucceeded, DeviceState.Active, LifecycleAction.EnableTelemetry, "Successful poll", fromSpec: true),
        Row(DeviceState.Testing, DeviceTrigger.PollFailed, DeviceState.Failed, LifecycleAction.AlertOperator, "Poll timeout/error", fromSpec: true),
        Row(DeviceState.Active, DeviceTrigger.EnterMaintenance, DeviceState.Maintenance, LifecycleAction.DisableControl, "Scheduled/Manual", fromSpec: true),
        Row(DeviceState.Active, DeviceTrigger.Decommission, DeviceState.Decommissioned, LifecycleAction.ArchiveData, "Removal", fromSpec: true),

        // What the spec leaves out.
        Row(DeviceState.Maintenance, DeviceTrigger.ExitMaintenance, DeviceState.Testing, LifecycleAction.VerifyCommunication, "Maintenance finished", fromSpec: false),
        Row(DeviceState.Failed, DeviceTrigger.Retry, DeviceState.Testing, LifecycleAction.VerifyCommunication, "Retry", fromSpec: false),
        Row(DeviceState.Failed, DeviceTrigger.EnterMaintenance, DeviceState.Maintenance, LifecycleAction.DisableControl, "Scheduled/Manual", fromSpec: false),
        Row(DeviceState.Registered, DeviceTrigger.Decommission, DeviceState.Decommissioned, LifecycleAction.ArchiveData, "Removal", fromSpec: false),
        Row(DeviceState.Configured, DeviceTrigger.Decommission, DeviceState.Decommissioned, LifecycleAction.ArchiveData, "Removal", fromSpec: false),
        Row(DeviceState.Testing, DeviceTrigger.Decommission, DeviceState.Decommissioned, LifecycleAction.ArchiveData, "Removal", fromSpec: false),
        Row(DeviceState.Failed, DeviceTrigger.Decommission, DeviceState.Decommissioned, LifecycleAction.ArchiveData, "Removal", fromSpec: false),
        Row(DeviceState.Maintenance, DeviceTrigger.Decommission, DeviceState.Decommissioned, LifecycleAction.ArchiveData, "Removal", fromSpec: false),
    ];

    private static LifecycleTransition Row(
        DeviceState from, DeviceTrigger trigger, DeviceState to, LifecycleAction action, string description, bool fromSpec) =>
        new() { From = from, Trigger = trigger, To = to, Action = action, Description = description, FromSpec = fromSpec };

    private static readonly LifecycleTransition?[] Lookup = BuildLookup();
    private static readonly IReadOnlyList<DeviceTrigger>[] Permitted = BuildPermitted();
    private static readonly IReadOnlyList<LifecycleTransition> ReadOnlyTable = Array.AsReadOnly(Table);

    /// <summary>Gets every permitted transition, the spec's six first.</summary>
    public static IReadOnlyList<LifecycleTransition> Transitions => ReadOnlyTable;

    /// <summary>Gets the state every device starts in.</summary>
    public static DeviceState InitialState => DeviceState.Registered;

    /// <summary>Finds the transition a trigger causes in a state.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="transition">The transition, when permitted.</param>
    /// <returns><see langword="true"/> when the state permits the trigger.</returns>
    public static bool TryGetTransition(DeviceState from, DeviceTrigger trigger, [NotNullWhen(true)] out LifecycleTransition? transition)
    {
        transition = IsDefined(from) && IsDefined(trigger) ? Lookup[Index(from, trigger)] : null;
        return transition is not null;
    }

    /// <summary>Tells whether a state permits a trigger.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="trigger">The trigger.</param>
    /// <returns><see langword="true"/> when permitted.</returns>
    public static bool CanFire(DeviceState from, DeviceTrigger trigger) => TryGetTransition(from, trigger, out _);

    /// <summary>Lists the triggers a state permits, in table order.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The permitted triggers; empty for the terminal state.</returns>
    public static IReadOnlyList<DeviceTrigger> GetPermittedTriggers(DeviceState state) =>
        IsDefined(state) ? Permitted[(int)state] : [];

    /// <summary>Tells whether a state is terminal (no trigger leaves it).</summary>
    /// <param name="state">The state.</param>
    /// <returns><see langword="true"/> for <see cref="DeviceState.Decommissioned"/>.</returns>
    public static bool IsTerminal(DeviceState state) => GetPermittedTriggers(state).Count == 0;

    /// <summary>
    /// Tells whether devices in a state are polled: <see cref="DeviceState.Configured"/> (the first poll moves it
    /// to testing), <see cref="DeviceState.Testing"/> and <see cref="DeviceState.Active"/>. A device must also be
    /// active (<see cref="Device.ShouldPoll"/>).
    /// </summary>
    /// <param name="state">The state.</param>
    /// <returns><see langword="true"/> when devices in the state are polled.</returns>
    public static bool IsPolled(DeviceState state) =>
        state is DeviceState.Configured or DeviceState.Testing or DeviceState.Active;

    /// <summary>Describes an action in the spec's words (<c>Update metadata</c>).</summary>
    /// <param name="action">The action.</param>
    /// <returns>The description.</returns>
    public static string Describe(LifecycleAction action) => action switch
    {
        LifecycleAction.UpdateMetadata => "Update metadata",
        LifecycleAction.VerifyCommunication => "Verify communication",
        LifecycleAction.EnableTelemetry => "Enable telemetry",
        LifecycleAction.AlertOperator => "Alert operator",
        LifecycleAction.DisableControl => "Disable control",
        LifecycleAction.ArchiveData => "Archive data",
        _ => action.ToString(),
    };

    /// <summary>
    /// Draws the table as a Mermaid state diagram (<c>stateDiagram-v2</c>), each arrow labelled
    /// <c>Trigger: description / action</c>.
    /// </summary>
    /// <returns>The diagram source, with <c>\n</c> line ends.</returns>
    public static string ToMermaid()
    {
        var text = new StringBuilder();
        text.Append("stateDiagram-v2\n");
        text.Append(CultureInfo.InvariantCulture, $"    [*] --> {InitialState}\n");
        foreach (var t in Table)
        {
            text.Append(CultureInfo.InvariantCulture, $"    {t.From} --> {t.To} : {t.Trigger}: {t.Description} / {Describe(t.Action)}\n");
        }

        foreach (var state in Enum.GetValues<DeviceState>())
        {
            if (IsTerminal(state))
            {
                text.Append(CultureInfo.InvariantCulture, $"    {state} --> [*]\n");
            }
        }

        return text.ToString();
    }

    private static bool IsDefined(DeviceState state) => (uint)state < (uint)StateCount;

    private static bool IsDefined(DeviceTrigger trigger) => (uint)trigger < (uint)TriggerCount;

    private static int Index(DeviceState state, DeviceTrigger trigger) => ((int)state * TriggerCount) + (int)trigger;

    private static LifecycleTransition?[] BuildLookup()
    {
        var lookup = new LifecycleTransition?[StateCount * TriggerCount];
        foreach (var t in Table)
        {
            lookup[Index(t.From, t.Trigger)] = t;
        }

        return lookup;
    }

    private static IReadOnlyList<DeviceTrigger>[] BuildPermitted()
    {
        var permitted = new IReadOnlyList<DeviceTrigger>[StateCount];
        for (var s = 0; s < StateCount; s++)
        {
            permitted[s] = Array.AsReadOnly(Table.Where(t => (int)t.From == s).Select(t => t.Trigger).ToArray());
        }

        return permitted;
    }
}
