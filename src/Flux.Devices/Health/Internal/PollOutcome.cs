namespace Flux.Devices.Health.Internal;

/// <summary>What the attempts of one poll came to: a success with the values read, or the last failure, classified.</summary>
internal readonly record struct PollOutcome
{
    /// <summary>Whether an attempt succeeded.</summary>
    public bool Succeeded { get; init; }

    /// <summary>How long the successful attempt took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>How many attempts were made; 0 when the device could not be polled at all (a configuration problem).</summary>
    public int Attempts { get; init; }

    /// <summary>The class of the last failure, also after a later attempt succeeded.</summary>
    public HealthErrorKind? ErrorKind { get; init; }

    /// <summary>The text of the last failure.</summary>
    public string? Error { get; init; }

    /// <summary>The Modbus exception code of the last failure, when the device sent one.</summary>
    public int? ExceptionCode { get; init; }

    /// <summary>The exception that ended the last failed attempt; none for a deadline or a configuration problem.</summary>
    public Exception? Exception { get; init; }

    /// <summary>The values read, when an attempt succeeded (valid until the device's next poll).</summary>
    public PollReadings? Readings { get; init; }

    /// <summary>The diagnostics of a sample of this outcome.</summary>
    public HealthDiagnostics Diagnostics() =>
        new() { ErrorKind = ErrorKind, Error = Error, ExceptionCode = ExceptionCode, Attempts = Attempts };
}
