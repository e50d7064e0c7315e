using System.Runtime.InteropServices;

#pragma warning disable CA1050 // the runtime looks a startup hook up by this name, outside any namespace

/// <summary>
/// A startup hook (<c>DOTNET_STARTUP_HOOKS</c>) for a <c>flux</c> process started by <c>Flux.Devices.Cli.Tests.SignalTests</c>:
/// it sends the process SIGINT at a chosen moment of its start, the moment an assembly named by
/// <c>FLUX_TEST_SIGINT_ON_LOAD</c> loads (as the first command line code runs), so that the test needs no timing.
/// </summary>
internal static class StartupHook
{
    public const string Variable = "FLUX_TEST_SIGINT_ON_LOAD";

    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } name)
        {
            return;
        }

        var sent = 0;
        AppDomain.CurrentDomain.AssemblyLoad += (_, loaded) =>
        {
            if (loaded.LoadedAssembly.GetName().Name == name && Interlocked.Exchange(ref sent, 1) == 0)
            {
                _ = Kill(Environment.ProcessId, 2); // SIGINT, as Ctrl+C sends it
            }
        };
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
