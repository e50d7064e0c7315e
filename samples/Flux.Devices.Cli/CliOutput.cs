using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace Flux.Devices.Cli;

/// <summary>The forms a read command can print: <c>--output table|json|csv</c>.</summary>
internal enum OutputFormat
{
    /// <summary>A table for people: drawn on a terminal, plain aligned columns in a pipe.</summary>
    Table,

    /// <summary>JSON (JSON Lines for streams, one object per line).</summary>
    Json,

    /// <summary>RFC 4180 CSV with a header row.</summary>
    Csv,
}

/// <summary>One cell of a <see cref="Grid"/>: its text and, on a colour terminal, its style (Spectre style text).</summary>
/// <param name="Text">The text, printed as is (never read as markup).</param>
/// <param name="Style">A Spectre style such as <c>green</c>, or <see langword="null"/>.</param>
internal readonly record struct Cell(string Text, string? Style = null)
{
    public static implicit operator Cell(string text) => new(text);
}

/// <summary>Rows under named columns: what every table-shaped command prints, in any <see cref="OutputFormat"/> but JSON.</summary>
/// <param name="headers">The column headers.</param>
internal sealed class Grid(params string[] headers)
{
    private readonly List<Cell[]> _rows = [];

    public IReadOnlyList<string> Headers { get; } = headers;

    public IReadOnlyList<Cell[]> Rows => _rows;

    public Grid Add(params Cell[] cells)
    {
        if (cells.Length != Headers.Count)
        {
            throw new ArgumentException($"A row has {cells.Length} cells for {Headers.Count} columns.", nameof(cells));
        }

        _rows.Add(cells);
        return this;
    }
}

/// <summary>Prints a command's results in the chosen <see cref="OutputFormat"/>, and its status lines on stderr.</summary>
/// <param name="console">Where to write.</param>
/// <param name="format">The chosen form.</param>
internal sealed class CliOutput(CliConsole console, OutputFormat format)
{
    /// <summary>
    /// JSON as the commands print it: snake_case names (the registry's own types name theirs explicitly), and text left
    /// readable (no <c>\u0022</c>): this JSON goes to terminals and files, never into HTML.
    /// </summary>
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>As <see cref="Indented"/>, on one line: JSON Lines.</summary>
    public static readonly JsonSerializerOptions Compact = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public CliConsole Console { get; } = console;

    public OutputFormat Format { get; } = format;

    public bool IsJson => Format == OutputFormat.Json;

    /// <summary>Writes a grid as a table (drawn or plain) or CSV. JSON callers serialise their own objects instead.</summary>
    public async Task WriteAsync(Grid grid)
    {
        if (Format == OutputFormat.Csv)
        {
            await Console.Output.WriteAsync(ToCsv(grid));
        }
        else if (Console.OutputIsTerminal)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var header in grid.Headers)
            {
                table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))));
            }

            foreach (var row in grid.Rows)
            {
                table.AddRow(row.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c.Text, c.Style is null ? Style.Plain : Style.Parse(c.Style))));
            }

            Console.Draw(Console.Output, interactive: false).Write(table);
        }
        else
        {
            await Console.Output.WriteAsync(ToPlain(grid));
        }
    }

    /// <summary>
    /// Starts rows that arrive one at a time (a scan, a watch): a header, then each row as it comes, padded to fixed
    /// widths (CSV rows in CSV, a JSON line each in JSON). Safe to call from several threads at once.
    /// </summary>
    public RowStream BeginRows(Grid header, params int[] widths) => new(this, header, widths);

    /// <summary>Writes a value as indented JSON.</summary>
    public Task WriteJsonAsync<T>(T value) => Console.Output.WriteLineAsync(JsonSerializer.Serialize(value, Indented));

    /// <summary>Writes a value as one line of JSON (JSON Lines, for streams).</summary>
    public Task WriteJsonLineAsync<T>(T value) => Console.Output.WriteLineAsync(JsonSerializer.Serialize(value, Compact));

    /// <summary>Writes a status line to stderr: what happened, for people, never for parsing.</summary>
    public Task StatusAsync(string line) => Console.Error.WriteLineAsync(line);

    /// <summary>Plain aligned columns, two spaces apart, no trailing blanks: for pipes, grep and cut.</summary>
    public static string ToPlain(Grid grid)
    {
        var widths = grid.Headers.Select((h, c) => grid.Rows.Select(r => r[c].Text.Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in grid.Rows.Select(r => r.Select(c => c.Text).ToArray()).Prepend([.. grid.Headers]))
        {
            var line = new StringBuilder();
            for (var c = 0; c < row.Length; c++)
            {
                line.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>RFC 4180: a header row of lower-case names, fields quoted when they hold a comma, a quote or a line break.</summary>
    public static string ToCsv(Grid grid)
    {
        var text = new StringBuilder();
        foreach (var row in grid.Rows.Select(r => r.Select(c => c.Text)).Prepend(grid.Headers.Select(h => h.ToLowerInvariant().Replace(' ', '_'))))
        {
            text.Append(CsvLine(row));
        }

        return text.ToString();
    }

    /// <summary>One CSV record, CRLF-terminated.</summary>
    public static string CsvLine(IEnumerable<string> fields) =>
        string.Join(',', fields.Select(f => f.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{f.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : f)) + "\r\n";

    /// <summary>A number in invariant culture.</summary>
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Rows printed as they arrive, one line each, in the output's form; see <see cref="CliOutput.BeginRows"/>.</summary>
internal sealed class RowStream
{
    private readonly CliOutput _output;
    private readonly int[] _widths;
    private readonly Lock _gate = new();
    private readonly Spectre.Console.IAnsiConsole? _terminal;

    public RowStream(CliOutput output, Grid header, int[] widths)
    {
        _output = output;
        _widths = widths;
        _terminal = output.Format == OutputFormat.Table && output.Console.OutputIsTerminal ? output.Console.Draw(output.Console.Output, interactive: false) : null;
        if (output.Format == OutputFormat.Csv)
        {
            output.Console.Output.Write(CliOutput.ToCsv(new Grid([.. header.Headers])));
        }
        else if (output.Format == OutputFormat.Table)
        {
            Write<object?>(null, [.. header.Headers.Select(h => new Cell(h, "bold"))]);
        }
    }

    /// <summary>Writes one row: <paramref name="json"/> as a JSON line in JSON, else <paramref name="cells"/>.</summary>
    public void Write<T>(T json, params Cell[] cells)
    {
        lock (_gate)
        {
            if (_output.IsJson)
            {
                _output.Console.Output.WriteLine(JsonSerializer.Serialize(json, CliOutput.Compact));
                return;
            }

            if (_output.Format == OutputFormat.Csv)
            {
                _output.Console.Output.Write(CliOutput.CsvLine(cells.Select(c => c.Text)));
                return;
            }

            var padded = cells.Select((c, i) => c with { Text = i < cells.Length - 1 && i < _widths.Length ? c.Text.PadRight(_widths[i]) + " " : c.Text }).ToArray();
            if (_terminal is null)
            {
                _output.Console.Output.WriteLine(string.Concat(padded.Select(c => c.Text)).TrimEnd());
                return;
            }

            foreach (var cell in padded)
            {
                _terminal.Write(new Text(cell.Text, cell.Style is null ? Style.Plain : Style.Parse(cell.Style)));
            }

            _terminal.WriteLine();
        }
    }
}
