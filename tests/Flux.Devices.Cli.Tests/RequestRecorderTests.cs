using System.Diagnostics;
using System.Net;
using Flux.Devices.Modbus.Server;

namespace Flux.Devices.Cli.Tests;

/// <summary>The request record of <c>flux simulate --record</c>: bounded, written as whole lines while it runs, ended with its count.</summary>
public sealed class RequestRecorderTests : FluxTestBed
{
    private static readonly IPEndPoint Client = new(IPAddress.Loopback, 40022);

    private string Path => System.IO.Path.Combine(Directory, "requests.tsv");

    [Fact]
    public async Task Full_DropsWhatItCannotQueue_CountsIt_AndEndsWithTheCounts()
    {
        var before = DateTime.UtcNow;
        var recorder = RequestRecorder.Create(Path, capacity: 3, flushInterval: Timeout.InfiniteTimeSpan); // written only at the end
        for (var unit = 1; unit <= 5; unit++)
        {
            recorder.Add(21502, Request((byte)unit));
        }

        Assert.Equal(2, recorder.Dropped);
        await recorder.DisposeAsync();
        var text = await File.ReadAllTextAsync(Path, Cancel);
        var requests = RecordedRequest.Parse(text);

        Assert.StartsWith(RequestRecorder.Header + "\n", text, StringComparison.Ordinal);
        Assert.EndsWith("# end: 3 requests, 2 dropped\n", text, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], requests.Select(r => (int)r.UnitId));
        Assert.All(requests, r => Assert.Equal((21502, 7L, "127.0.0.1:40022", (byte)3, (ushort)2000, (ushort)29), (r.Port, r.Connection, r.Remote, r.Function, r.Address, r.Quantity)));
        Assert.All(requests, r => Assert.InRange(r.Time, before, DateTime.UtcNow));
        Assert.All(requests, r => Assert.Equal(DateTimeKind.Utc, r.Time.Kind));
    }

    [Fact]
    public async Task WhileRunning_WritesWholeLines_ThatAnotherReaderSees()
    {
        await using var recorder = RequestRecorder.Create(Path);
        recorder.Add(21502, Request(9));

        var waited = Stopwatch.StartNew();
        List<RecordedRequest> requests;
        while ((requests = RecordedRequest.Parse(await ReadSharedAsync())).Count == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the record was never written while running");
            await Task.Delay(RequestRecorder.FlushInterval, Cancel); // its next write
        }

        Assert.Equal(9, Assert.Single(requests).UnitId);
    }

    [Fact]
    public void Parse_SkipsAnUnterminatedLastLine_AndRefusesALineThatIsNotARequest()
    {
        var whole = "2026-12-07T05:16:27.4689659Z\t21502\t1\t127.0.0.1:39568\t1\t3\t2000\t29\n";

        Assert.Single(RecordedRequest.Parse(RequestRecorder.Header + "\n" + whole + whole[..20]));
        Assert.Throws<FormatException>(() => RecordedRequest.Parse("not\ta request\n"));
    }

    private static ModbusRequestRecord Request(byte unit) =>
        new() { UnitId = unit, FunctionCode = 3, Address = 2000, Quantity = 29, ConnectionId = 7, RemoteEndPoint = Client };

    private async Task<string> ReadSharedAsync()
    {
        await using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file);
        return await reader.ReadToEndAsync(Cancel);
    }
}
