using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md, docs/ and the packages' READMEs (src/*/README.md) is compiled and run, so
/// that the examples cannot drift from the library. A block is a whole program as a reader would paste it into a console project's Program.cs: top-level
/// statements, the SDK's implicit usings, nullable on, and a warning is an error. A block of declarations only (a
/// class to plug in) is compiled as a library and has nothing to run. A block that truly cannot run is preceded by
/// <c>&lt;!-- snippet: skip REASON --&gt;</c> (keep these rare). Programs run in this process, one at a time, with the
/// test's working directory (the output folder, which has the repository's <c>templates/</c>), so relative paths such
/// as <c>templates/powerpack_bess.yaml</c> work as they do from the repository root.
/// </summary>
public sealed class DocumentationSnippetTests
{
    private const string SkipMarker = "<!-- snippet: skip";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>The SDK's implicit usings for a console project (<c>ImplicitUsings</c> enabled).</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    public static TheoryData<string> Blocks()
    {
        var data = new TheoryData<string>();
        foreach (var block in ReadBlocks().Where(b => b.Skip is null))
        {
            data.Add(block.Where);
        }

        return data;
    }

    [Fact]
    public void TheDocuments_HaveTheirBlocks_AndEverySkipSaysWhy()
    {
        var blocks = ReadBlocks();

        // The README's library and Modbus transport examples, and at least one block on each page that shows code.
        Assert.Equal(2, blocks.Count(b => b.Where.StartsWith("README.md:", StringComparison.Ordinal)));
        foreach (var page in new[] { "library", "stores", "modbus", "templates", "discovery-and-health", "control" })
        {
            Assert.Contains(blocks, b => b.Where.StartsWith($"docs/{page}.md:", StringComparison.Ordinal));
        }

        foreach (var package in new[] { "Flux.Devices", "Flux.Devices.Modbus", "Flux.Devices.Sqlite", "Flux.Devices.Postgres" })
        {
            Assert.Contains(blocks, b => b.Where.StartsWith($"src/{package}/README.md:", StringComparison.Ordinal));
        }

        Assert.All(blocks.Where(b => b.Skip is not null), b => Assert.True(b.Skip!.Length > 0, $"{b.Where}: a skipped block says why"));
        Assert.True(blocks.Count(b => b.Skip is not null) <= 2, "Skipped blocks are rare: make the block a program instead.");
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public async Task Block_CompilesAndRuns(string where)
    {
        var block = ReadBlocks().Single(b => b.Where == where);
        Assert.True(
            File.Exists(Path.Combine("templates", "powerpack_bess.yaml")),
            $"The blocks read templates/ relative to the working directory, as from the repository root; {Environment.CurrentDirectory} has none.");
        var tree = CSharpSyntaxTree.ParseText(block.Code, new CSharpParseOptions(LanguageVersion.Latest), path: where, encoding: Encoding.UTF8);
        var isProgram = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            "Snippet_" + Guid.NewGuid().ToString("N"),
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, new CSharpParseOptions(LanguageVersion.Latest))],
            References.Value,
            new CSharpCompilationOptions(
                isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error,
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic>
                {
                    // Version unification between the test's implementation assemblies: not the reader's concern.
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(emitted.Success && errors.Count == 0, $"{where} does not compile:\n{string.Join('\n', errors)}\n---\n{block.Code}");
        if (!isProgram)
        {
            return; // declarations only: compiled as a library, nothing to run
        }

        var output = await RunAsync(image, where);
        TestContext.Current.TestOutputHelper?.WriteLine(output);
    }

    /// <summary>Loads the program in a context of its own (the library's assemblies are shared) and runs its entry point.</summary>
    private static async Task<string> RunAsync(MemoryStream image, string where)
    {
        image.Position = 0;
        var context = new AssemblyLoadContext(where, isCollectible: true);
        var writer = new StringWriter();
        var console = Console.Out;
        await Gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            Console.SetOut(writer);
            var entry = context.LoadFromStream(image).EntryPoint!;
            var result = entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
            if (result is Task task)
            {
                await task.WaitAsync(Patience, TestContext.Current.CancellationToken);
            }
        }
        catch (Exception error)
        {
            var thrown = error is TargetInvocationException { InnerException: { } inner } ? inner : error;
            Assert.Fail($"{where} compiles and then throws:\n{thrown}\n--- its output:\n{writer}");
        }
        finally
        {
            Console.SetOut(console);
            Gate.Release();
            context.Unload();
        }

        return writer.ToString();
    }

    /// <summary>One program at a time: each sees the console as its own.</summary>
    private static readonly SemaphoreSlim Gate = new(1, 1);

    private sealed record Block(string Where, string Code, string? Skip);

    /// <summary>The C# blocks of README.md, every page under docs/ and the packages' READMEs (copied to the output folder by the project).</summary>
    private static List<Block> ReadBlocks()
    {
        var root = AppContext.BaseDirectory;
        var files = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "src"), "README.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        var blocks = new List<Block>();
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(root, file).Replace('\\', '/');
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var fence = lines[i].TrimStart();
                if (!fence.StartsWith("```", StringComparison.Ordinal))
                {
                    continue;
                }

                var language = fence[3..].Trim().ToLowerInvariant();
                var indent = lines[i].Length - fence.Length;
                var start = i;
                var code = new StringBuilder();
                for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
                {
                    code.Append(lines[i].Length >= indent ? lines[i][indent..] : lines[i].TrimStart()).Append('\n');
                }

                if (language is "csharp" or "cs" or "c#")
                {
                    var before = start > 0 ? lines[start - 1].Trim() : string.Empty;
                    var skip = before.StartsWith(SkipMarker, StringComparison.Ordinal) ? before[SkipMarker.Length..].Replace("-->", string.Empty, StringComparison.Ordinal).Trim() : null;
                    blocks.Add(new Block($"{name}:{start + 1}", code.ToString(), skip));
                }
            }
        }

        return blocks;
    }

    /// <summary>What a console project that references the Flux.Devices packages sees: the runtime and this test's dependencies.</summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in trusted.Concat(local))
        {
            byName.TryAdd(Path.GetFileName(path), path);
        }

        return [.. byName.Values.Where(IsManaged).Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }

    private static bool IsManaged(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new PEReader(stream);
            return reader.HasMetadata && reader.GetMetadataReader().IsAssembly;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
