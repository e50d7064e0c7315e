namespace Flux.Devices.SunSpec;

/// <summary>
/// A SunSpec model chain that stops before its end model (0xFFFF): a read failed, a model runs past address 65535, or
/// there is no end model. The models before <see cref="Address"/> were read and stay usable. Carried in
/// <see cref="SunSpecChain.Error"/>, not thrown by the walk.
/// </summary>
public sealed class SunSpecChainException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="SunSpecChainException"/> class.</summary>
    /// <param name="baseAddress">The marker's address.</param>
    /// <param name="address">Where the walk stopped: the address of the model header it could not read or accept.</param>
    /// <param name="modelsRead">How many models were read before.</param>
    /// <param name="reason">Why it stopped.</param>
    /// <param name="innerException">The failed read, if one failed.</param>
    internal SunSpecChainException(int baseAddress, int address, int modelsRead, string reason, Exception? innerException = null)
        : base($"The SunSpec model chain at {baseAddress} stops at address {address} after {modelsRead} model(s): {reason}.", innerException)
    {
        BaseAddress = baseAddress;
        Address = address;
        ModelsRead = modelsRead;
        Reason = reason;
    }

    /// <summary>Gets the marker's address.</summary>
    public int BaseAddress { get; }

    /// <summary>Gets the address where the walk stopped.</summary>
    public int Address { get; }

    /// <summary>Gets how many models were read before it stopped.</summary>
    public int ModelsRead { get; }

    /// <summary>Gets why it stopped.</summary>
    public string Reason { get; }
}
