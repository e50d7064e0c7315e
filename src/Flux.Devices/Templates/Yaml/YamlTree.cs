using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Flux.Devices.Templates.Yaml;

/// <summary>A position in the YAML text, from 1.</summary>
internal readonly record struct YamlMark(int Line, int Column);

/// <summary>A node of the small YAML tree templates are read from.</summary>
internal abstract class YamlNode(YamlMark start)
{
    public YamlMark Start { get; } = start;
}

internal sealed class YamlScalar(YamlMark start, string value, bool plain) : YamlNode(start)
{
    public string Value { get; } = value;

    /// <summary>Gets a value indicating whether the scalar was written without quotes (so <c>~</c> and empty are null).</summary>
    public bool Plain { get; } = plain;

    public bool IsNull => Plain && Value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed class YamlMapping(YamlMark start) : YamlNode(start)
{
    public List<(YamlScalar Key, YamlNode Value)> Entries { get; } = [];
}

internal sealed class YamlSequence(YamlMark start) : YamlNode(start)
{
    public List<YamlNode> Items { get; } = [];
}

/// <summary>
/// Reads untrusted YAML into a tree through YamlDotNet's low-level parser, refusing before it can hurt: text over
/// 64 KB, nesting deeper than 64, more than 10,000 nodes, anchors and aliases (no "billion laughs"), tags (no type
/// selection), more than one document, duplicate keys and keys that are not plain text. Every refusal is a
/// <see cref="DeviceTemplateException"/> with the line and column.
/// </summary>
internal static class YamlTree
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxDepth = 64;
    public const int MaxNodes = 10_000;

    /// <summary>Parses text into a tree.</summary>
    /// <param name="text">The text.</param>
    /// <param name="fileName">The file it came from, for messages.</param>
    /// <param name="rootDuplicatesAllowed">
    /// Leaves duplicate keys of the root mapping to the caller: the spec's template, printed with its indentation lost,
    /// repeats keys across its flattened sections (a <c>power</c> register and a <c>power</c> scale).
    /// </param>
    public static YamlNode Parse(string text, string? fileName, bool rootDuplicatesAllowed = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > MaxBytes)
        {
            throw Error(fileName, new YamlMark(1, 1), $"the text is {bytes} bytes; the limit is {MaxBytes}");
        }

        try
        {
            return Build(new Parser(new StringReader(text)), fileName, rootDuplicatesAllowed);
        }
        catch (YamlException ex)
        {
            throw new DeviceTemplateException(fileName, [new TemplateError { Line = (int)ex.Start.Line, Column = (int)ex.Start.Column, Path = string.Empty, Message = $"not valid YAML: {ex.Message}" }], ex);
        }
#pragma warning disable CA1031 // Untrusted input: whatever else the parser throws is still a refused template, not a crash.
        catch (Exception ex) when (ex is not (DeviceTemplateException or OutOfMemoryException or OperationCanceledException))
#pragma warning restore CA1031
        {
            throw new DeviceTemplateException(fileName, [new TemplateError { Line = 1, Column = 1, Path = string.Empty, Message = $"the YAML parser failed: {ex.Message}" }], ex);
        }
    }

    private static YamlNode Build(Parser parser, string? fileName, bool rootDuplicatesAllowed)
    {
        YamlNode? root = null;
        var open = new Stack<(YamlNode Node, YamlScalar? PendingKey)>();
        var nodes = 0;
        var documents = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            var mark = new YamlMark((int)current.Start.Line, (int)current.Start.Column);
            switch (current)
            {
                case DocumentStart:
                    if (++documents > 1)
                    {
                        throw Error(fileName, mark, "more than one YAML document; a template is one document");
                    }

                    break;
                case AnchorAlias alias:
                    throw Error(fileName, mark, $"aliases (*{alias.Value}) are not allowed");
                case NodeEvent node when !node.Anchor.IsEmpty:
                    throw Error(fileName, mark, $"anchors (&{node.Anchor}) are not allowed");
                case NodeEvent node when !node.Tag.IsEmpty:
                    throw Error(fileName, mark, $"tags ({node.Tag}) are not allowed");
                case Scalar scalar:
                    Add(new YamlScalar(mark, scalar.Value, scalar.Style == ScalarStyle.Plain));
                    break;
                case MappingStart:
                    Open(new YamlMapping(mark));
                    break;
                case SequenceStart:
                    Open(new YamlSequence(mark));
                    break;
                case MappingEnd or SequenceEnd:
                    open.Pop();
                    break;
            }

            void Open(YamlNode container)
            {
                if (open.Count >= MaxDepth)
                {
                    throw Error(fileName, mark, $"nesting is deeper than {MaxDepth} levels");
                }

                Add(container);
                open.Push((container, null));
            }

            void Add(YamlNode node)
            {
                if (++nodes > MaxNodes)
                {
                    throw Error(fileName, mark, $"more than {MaxNodes} nodes");
                }

                if (open.Count == 0)
                {
                    root = node;
                    return;
                }

                var (parent, pendingKey) = open.Pop();
                if (parent is YamlSequence sequence)
                {
                    sequence.Items.Add(node);
                    open.Push((parent, null));
                }
                else if (pendingKey is null)
                {
                    if (node is not YamlScalar key)
                    {
                        throw Error(fileName, mark, "a key must be plain text, not a mapping or a list");
                    }

                    var mapping = (YamlMapping)parent;
                    if (!(rootDuplicatesAllowed && ReferenceEquals(mapping, root))
                        && mapping.Entries.Exists(e => string.Equals(e.Key.Value, key.Value, StringComparison.Ordinal)))
                    {
                        throw Error(fileName, mark, $"the key '{key.Value}' appears twice");
                    }

                    open.Push((parent, key));
                }
                else
                {
                    ((YamlMapping)parent).Entries.Add((pendingKey, node));
                    open.Push((parent, null));
                }
            }
        }

        return root ?? throw Error(fileName, new YamlMark(1, 1), "the text is empty");
    }

    private static DeviceTemplateException Error(string? fileName, YamlMark mark, string message) =>
        new(fileName, [new TemplateError { Line = mark.Line, Column = mark.Column, Path = string.Empty, Message = message }]);
}
