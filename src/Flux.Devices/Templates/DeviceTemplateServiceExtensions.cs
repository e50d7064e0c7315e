namespace Flux.Devices.Templates;

/// <summary>Template calls with the cancellation token right after the required arguments: <c>templates.CommitAsync(plan, cancellationToken)</c>.</summary>
public static class DeviceTemplateServiceExtensions
{
    /// <summary>Commits a plan, with no actor in the devices' history.</summary>
    /// <param name="templates">The template service.</param>
    /// <param name="plan">The plan, from <see cref="IDeviceTemplateService.PlanAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was written.</returns>
    public static ValueTask<TemplateResult> CommitAsync(this IDeviceTemplateService templates, TemplatePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(templates);
        return templates.CommitAsync(plan, null, cancellationToken);
    }
}
