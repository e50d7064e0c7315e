using System.Text.Json;
using Flux.Devices.Health;

namespace Flux.Devices.Tests.Storage;

/// <summary>The diagnostics column as every store reads and writes it: other writers' keys kept, nothing they wrote breaks a read.</summary>
public sealed class HealthDiagnosticsJsonTests
{
    [Fact]
    public void TheLibrarysOwnDiagnostics_KeepTheirFormat()
    {
        var diagnostics = new HealthDiagnostics { ErrorKind = HealthErrorKind.DeviceException, Error = "Illegal data address", ExceptionCode = 2, Attempts = 3 };

        var json = JsonSerializer.Serialize(diagnostics);

        Assert.Equal("""{"error_kind":"device_exception","error":"Illegal data address","exception_code":2,"attempts":3}""", json);
        Assert.Equal("""{"error_kind":null,"error":null,"exception_code":null,"attempts":1}""", JsonSerializer.Serialize(new HealthDiagnostics { Attempts = 1 }));
        Assert.Equal(diagnostics, JsonSerializer.Deserialize<HealthDiagnostics>(json));
    }

    [Theory]
    [InlineData("""{"error_kind":"timeout","attempts":2,"gateway":"GW-7","nested":{"a":[1,2]}}""", """{"error_kind":"timeout","error":null,"exception_code":null,"attempts":2,"gateway":"GW-7","nested":{"a":[1,2]}}""")]
    [InlineData("""{"error_kind":"brownout","attempts":"three"}""", """{"error":null,"exception_code":null,"error_kind":"brownout","attempts":"three"}""")]
    [InlineData("""{"exception_code":2.5,"attempts":99999999999}""", """{"error_kind":null,"error":null,"exception_code":2.5,"attempts":99999999999}""")]
    [InlineData("""{"error":42}""", """{"error_kind":null,"exception_code":null,"attempts":0,"error":42}""")]
    [InlineData("""[1,2]""", """{"error_kind":null,"error":null,"exception_code":null,"attempts":0,"value":[1,2]}""")]
    [InlineData("\"free text\"", """{"error_kind":null,"error":null,"exception_code":null,"attempts":0,"value":"free text"}""")]
    public void WhatAnotherToolWrote_ReadsWithoutError_AndWritesBackWithItsKeys(string stored, string written)
    {
        var diagnostics = JsonSerializer.Deserialize<HealthDiagnostics>(stored)!;

        Assert.Equal(written, JsonSerializer.Serialize(diagnostics));
        Assert.Equal(diagnostics, JsonSerializer.Deserialize<HealthDiagnostics>(JsonSerializer.Serialize(diagnostics)));
    }

    [Fact]
    public void Equality_ComparesTheOtherKeysByValue()
    {
        var a = JsonSerializer.Deserialize<HealthDiagnostics>("""{"attempts":1,"gateway":"GW-7"}""");
        var b = JsonSerializer.Deserialize<HealthDiagnostics>("""{"gateway":"GW-7","attempts":1}""");
        var c = JsonSerializer.Deserialize<HealthDiagnostics>("""{"attempts":1,"gateway":"GW-8"}""");

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, new HealthDiagnostics { Attempts = 1 });
    }
}
