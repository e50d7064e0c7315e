// One throwaway PostgreSQL server for the whole test assembly (tests/Flux.Devices.TestUtilities/PostgresServer.cs).
[assembly: AssemblyFixture(typeof(Flux.Devices.TestUtilities.PostgresServer))]
