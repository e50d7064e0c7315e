using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Flux.Devices.Templates;

/// <summary>What applying a template does to one device.</summary>
public enum TemplatePlanAction
{
    /// <summary>The device is Registered: it gets the configuration and moves to Configured ("Config deployment").</summary>
    Configure = 0,

    /// <summary>The device's configuration changes.</summary>
    Update = 1,

    /// <summary>The device already has this configuration: nothing is written.</summary>
    Unchanged = 2,

    /// <summary>The template is not for this device, or the device cannot take it now; <see cref="TemplatePlanItem.Reason"/> says why.</summary>
    Skip = 3,
}

/// <summary>
/// What applying a template to the devices a filter selects would do, device by device: the dry run of
/// <c>flux devices apply-template</c>. Nothing has been written; <see cref="IDeviceTemplateService.CommitAsync"/>
/// applies it.
/// </summary>
public sealed class TemplatePlan
{
    internal TemplatePlan(DeviceTemplate template, DeviceFilter filter, IReadOnlyList<TemplatePlanItem> items)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(items);
        Template = template;
        Filter = filter;
        Items = items;
    }

    /// <summary>Gets the template.</summary>
    public DeviceTemplate Template { get; }

    /// <summary>Gets the filter that selected the devices.</summary>
    public DeviceFilter Filter { get; }

    /// <summary>Gets the plan per device, by device name.</summary>
    public IReadOnlyList<TemplatePlanItem> Items { get; }

    /// <summary>Gets how many devices a commit would write.</summary>
    public int ChangeCount => Items.Count(i => i.Action is TemplatePlanAction.Configure or TemplatePlanAction.Update);

    /// <summary>Renders the plan as a plain-text table: device, state, action, and the changes or the reason.</summary>
    /// <returns>The table, one line per device after a header, and a summary line.</returns>
    public string ToTable()
    {
        string[] header = ["DEVICE", "STATE", "ACTION", "DETAIL"];
        var rows = Items.Select(i => new[]
        {
            i.Device.Name,
            i.Device.State.ToString(),
            i.Action.ToString(),
            i.Action == TemplatePlanAction.Skip ? i.Reason ?? string.Empty : string.Join(", ", i.Changes),
        }).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => rows.Select(r => r[c].Length).Append(header[c].Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            for (var c = 0; c < row.Length; c++)
            {
                text.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            text.Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"{Items.Count} devices match \"{Filter}\": {ChangeCount} to change, ")
            .Append(CultureInfo.InvariantCulture, $"{Items.Count(i => i.Action == TemplatePlanAction.Unchanged)} unchanged, {Items.Count(i => i.Action == TemplatePlanAction.Skip)} skipped.\n");
        return text.ToString();
    }

    /// <summary>Renders the plan as JSON: the template, the filter, the counts and one object per device.</summary>
    /// <returns>The JSON document.</returns>
    public string ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("template", Template.Name);
            writer.WriteString("filter", Filter.ToString());
            writer.WriteNumber("matched", Items.Count);
            writer.WriteNumber("to_change", ChangeCount);
            writer.WriteStartArray("devices");
            foreach (var item in Items)
            {
                writer.WriteStartObject();
                writer.WriteString("id", item.Device.Id);
                writer.WriteString("name", item.Device.Name);
                writer.WriteString("state", JsonNamingPolicy.SnakeCaseLower.ConvertName(item.Device.State.ToString()));
                writer.WriteNumber("version", item.Device.Version);
                writer.WriteString("action", JsonNamingPolicy.SnakeCaseLower.ConvertName(item.Action.ToString()));
                if (item.Reason is { } reason)
                {
                    writer.WriteString("reason", reason);
                }

                writer.WriteStartArray("changes");
                foreach (var change in item.Changes)
                {
                    writer.WriteStringValue(change);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>What became of one device when a plan was committed.</summary>
public enum TemplateOutcome
{
    /// <summary>The configuration was written (and a Registered device moved to Configured).</summary>
    Applied = 0,

    /// <summary>Nothing needed writing.</summary>
    Unchanged = 1,

    /// <summary>The plan skipped the device.</summary>
    Skipped = 2,

    /// <summary>The device changed (or was removed) after the plan was made; nothing was written for it. Plan again.</summary>
    Conflict = 3,

    /// <summary>The device with the configuration broke a rule; nothing was written for it.</summary>
    Refused = 4,
}
