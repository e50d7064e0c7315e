using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flux.Devices.Internal;

namespace Flux.Devices;

/// <summary>
/// The free-form JSON object a device carries in its <c>metadata</c> column: the typed fields of its
/// <see cref="Device.Type"/> (see <see cref="BessMetadata"/> and <see cref="MeterMetadata"/>) and every other
/// key a tool put there (<c>ip_address</c>, <c>discovered_at</c>, <c>maintenance</c>, ...), kept as written.
/// </summary>
/// <remarks>
/// <para>
/// Instances are immutable and safe to share between threads; <see cref="With(string, JsonElement)"/>,
/// <see cref="Without"/> and <see cref="Merge"/> return new instances. Keys keep the order they were written in.
/// Equality is JSON equality: the same keys with equal values, in any order.
/// </para>
/// <para>
/// Every instance can be stored by every store, because the rules PostgreSQL's <c>jsonb</c> enforces are
/// checked on construction: the root is an object, keys are unique, no string contains U+0000, every number
/// is a finite double, and nesting is at most <see cref="MaxDepth"/> levels deep. The size limit
/// (<see cref="FluxDevicesOptions.MaxMetadataBytes"/>) is checked when a device is written.
/// </para>
/// </remarks>
[JsonConverter(typeof(DeviceMetadataJsonConverter))]
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "The spec calls it metadata; it is a JSON object, not a general-purpose dictionary.")]
public sealed class DeviceMetadata : IReadOnlyDictionary<string, JsonElement>, IEquatable<DeviceMetadata>
{
    /// <summary>The deepest nesting accepted, counting the root object as level 1.</summary>
    public const int MaxDepth = 32;

    // Non-ASCII text is written as UTF-8, not as \uXXXX escapes, so that the size limit counts about what a UTF-8
    // store holds. (The encoder still escapes characters beyond U+FFFF, which makes the count err on the safe side.)
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonDocumentOptions ParseOptions = new()
    {
        MaxDepth = MaxDepth,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    [ThreadStatic]
    private static ByteCounter? t_byteCounter;

    [ThreadStatic]
    private static Utf8JsonWriter? t_countingWriter;

    /// <summary>The keys <see cref="TryParsePlain"/> read last on this thread, in order, to reuse for the next text.</summary>
    [ThreadStatic]
    private static string[]? t_lastKeys;

    /// <summary>The most keys one object may have for the quick check; larger objects go through <see cref="Parse"/>.</summary>
    private const int MaxPlainKeysPerObject = 64;

    [ThreadStatic]
    private static List<(int Start, int Length)>? t_plainNames;

    [ThreadStatic]
    private static List<int>? t_plainFrames;

    /// <summary>The plainly storable UTF-8 text this instance was read from, parsed on first use; null when made from entries.</summary>
    private readonly byte[]? _plainText;

    /// <summary>The entries; null until first use when the instance was read from plain text.</summary>
    private KeyValuePair<string, JsonElement>[]? _parsedEntries;

    /// <summary>The size of the compact UTF-8 JSON, once counted (every write checks it); -1 until then.</summary>
    private int _utf8ByteCount = -1;

    private DeviceMetadata(KeyValuePair<string, JsonElement>[] entries) => _parsedEntries = entries;

    private DeviceMetadata(byte[] plainText) => _plainText = plainText;

    /// <summary>Gets the entries, parsing the plain text on first use (a race parses twice and keeps one result).</summary>
    private KeyValuePair<string, JsonElement>[] Entries =>
        _parsedEntries ?? Interlocked.CompareExchange(ref _parsedEntries, ParsePlainEntries(_plainText!), null) ?? _parsedEntries!;

    /// <summary>Gets the empty object <c>{}</c>.</summary>
    public static DeviceMetadata Empty { get; } = new(Array.Empty<KeyValuePair<string, JsonElement>>());

    /// <inheritdoc />
    public int Count => Entries.Length;

    /// <inheritdoc />
    public IEnumerable<string> Keys => Entries.Select(static e => e.Key);

    /// <inheritdoc />
    public IEnumerable<JsonElement> Values => Entries.Select(static e => e.Value);

    /// <summary>Gets the value of a top-level key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">The key is not present.</exception>
    public JsonElement this[string key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"Metadata has no key '{key}'.");

    /// <summary>Parses a JSON object.</summary>
    /// <param name="json">The JSON text; its root must be an object.</param>
    /// <returns>The metadata.</returns>
    /// <exception cref="DeviceValidationException">
    /// The text is not JSON, its root is not an object, or it breaks one of the storage rules; the error names
    /// the field (<c>metadata</c> or <c>metadata.&lt;key&gt;</c>) and the reason.
    /// </exception>
    public static DeviceMetadata Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, ParseOptions);
        }
        catch (JsonException ex)
        {
            throw new DeviceValidationException([new DeviceValidationError { Field = "metadata", Message = $"is not valid JSON: {ex.Message}" }], ex);
        }
        catch (InvalidOperationException ex)
        {
            // The duplicate-key check reads every key, and a key escaping an unpaired surrogate cannot be read.
            throw new DeviceValidationException([new DeviceValidationError { Field = "metadata", Message = "has a key that " + FieldRules.UnpairedSurrogate }], ex);
        }

        using (document)
        {
            return FromElement(document.RootElement);
        }
    }

    /// <summary>
    /// Reads UTF-8 JSON a store kept (such as a PostgreSQL <c>jsonb</c> column), the cheap way when the text is plainly
    /// storable: valid UTF-8, an object, no escaped string or key, every number a finite double, at most
    /// <see cref="MaxDepth"/> levels, no key repeated in an object. One pass of a reader checks that; such text needs
    /// none of the checks <see cref="Parse"/> makes on the parsed tree (an unescaped valid UTF-8 string holds neither
    /// U+0000 nor an unpaired surrogate), cannot fail to parse, and is parsed when the metadata is first used, with no
    /// UTF-16 copy, the keys shared with the previous text parsed on the thread when they are the same.
    /// </summary>
    /// <param name="utf8">The JSON text as UTF-8; the metadata keeps the array, which nobody may change afterwards.</param>
    /// <returns>
    /// The metadata, equal to what <see cref="Parse"/> makes of the same text; <see langword="null"/> when the text is
    /// not plainly storable, for <see cref="Parse"/> to accept it or to name what is wrong.
    /// </returns>
    internal static DeviceMetadata? TryParsePlain(byte[] utf8)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        return System.Text.Unicode.Utf8.IsValid(utf8) && IsPlain(utf8) ? new DeviceMetadata(utf8) : null;
    }

    /// <summary>
    /// Reads the text PostgreSQL writes for a <c>jsonb</c> value, which is valid JSON whose objects never repeat a key and
    /// whose numbers have no exponent; so a scan of its bytes shows it plainly storable when it is an object with no
    /// escape, fewer than <see cref="MaxDepth"/> brackets in all and no run of more than 300 digits (a number beyond a
    /// double has more). Any other text goes through <see cref="TryParsePlain"/>.
    /// </summary>
    /// <param name="utf8">The text PostgreSQL wrote from a <c>jsonb</c> value; the metadata keeps the array.</param>
    /// <returns>As <see cref="TryParsePlain"/>.</returns>
    internal static DeviceMetadata? TryParseJsonb(byte[] utf8)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        return IsPlainJsonb(utf8) ? new DeviceMetadata(utf8) : TryParsePlain(utf8);
    }

    /// <summary>
    /// Reads the UTF-8 text a store kept for a PostgreSQL <c>jsonb</c> value (the column's bytes as PostgreSQL writes
    /// them): cheaply, with the parse left to first use, when the text is plainly storable; otherwise as
    /// <see cref="Parse"/> reads it, with its errors. For stores that read <c>jsonb</c> metadata in bulk.
    /// </summary>
    /// <param name="utf8">The text as UTF-8; the metadata may keep the array, which nobody may change afterwards.</param>
    /// <returns>The metadata, equal to what <see cref="Parse"/> makes of the same text.</returns>
    /// <exception cref="DeviceValidationException">As <see cref="Parse"/>.</exception>
    public static DeviceMetadata ParseJsonb(byte[] utf8) =>
        TryParseJsonb(utf8) ?? Parse(System.Text.Encoding.UTF8.GetString(utf8));

    private static bool IsPlainJsonb(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0 || utf8[0] != (byte)'{' || utf8.Contains((byte)'\\')
            || utf8.Count((byte)'{') + utf8.Count((byte)'[') > MaxDepth || !System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return false;
        }

        var digits = 0;
        foreach (var b in utf8)
        {
            digits = (uint)(b - '0') <= 9 ? digits + 1 : 0;
            if (digits > 300)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The entries of text <see cref="IsPlain"/> accepted, which therefore parses without error.</summary>
    private static KeyValuePair<string, JsonElement>[] ParsePlainEntries(byte[] utf8)
    {
        using var document = JsonDocument.Parse(utf8, ParseOptions);

        // The clone is exactly the size of the text (a document of its own parsing is sized for the worst case).
        var root = document.RootElement.Clone();
        var entries = new KeyValuePair<string, JsonElement>[root.GetPropertyCount()];
        var keys = t_lastKeys ??= new string[16];
        var i = 0;
        foreach (var property in root.EnumerateObject())
        {
            // Rows of one table repeat their keys in one order: reuse the last text's keys rather than allocate them again.
            var key = i < keys.Length && keys[i] is { } last && property.NameEquals(last) ? last : property.Name;
            if (i < keys.Length)
            {
                keys[i] = key;
            }

            entries[i++] = new(key, property.Value);
        }

        return entries;
    }

    /// <summary>One pass of a reader over the text: see <see cref="TryParsePlain"/>.</summary>
    private static bool IsPlain(ReadOnlySpan<byte> utf8)
    {
        // The names of the objects open at the reader, as (start, length) in the text; an object's names start at its frame.
        var names = t_plainNames ??= [];
        var frames = t_plainFrames ??= [];
        names.Clear();
        frames.Clear();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            frames.Add(0);
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName or JsonTokenType.String when reader.ValueIsEscaped:
                        return false;
                    case JsonTokenType.Number when !IsFiniteDouble(ref reader):
                        return false;
                    case JsonTokenType.StartObject:
                        frames.Add(names.Count);
                        break;
                    case JsonTokenType.EndObject:
                        var frame = frames[^1];
                        names.RemoveRange(frame, names.Count - frame);
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        // Unescaped, so equal names are equal bytes; the name's text starts after its opening quote.
                        var name = reader.ValueSpan;
                        if (names.Count - frames[^1] >= MaxPlainKeysPerObject)
                        {
                            return false; // the pairwise check would cost the square of the keys: Parse checks such objects
                        }

                        for (var n = frames[^1]; n < names.Count; n++)
                        {
                            if (utf8.Slice(names[n].Start, names[n].Length).SequenceEqual(name))
                            {
                                return false;
                            }
                        }

                        names.Add(((int)reader.TokenStartIndex + 1, name.Length));
                        break;
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Tells whether the number token reads as a finite double; one without an exponent and of at most 300 characters
    /// is below 10^300, so only the others are converted.
    /// </summary>
    private static bool IsFiniteDouble(ref Utf8JsonReader reader) =>
        (reader.ValueSpan.Length <= 300 && reader.ValueSpan.IndexOfAny((byte)'e', (byte)'E') < 0)
        || (reader.TryGetDouble(out var number) && double.IsFinite(number));

    /// <summary>Makes metadata from a JSON element, which must be an object.</summary>
    /// <param name="element">The object; it is copied, so its document may be disposed afterwards.</param>
    /// <returns>The metadata.</returns>
    /// <exception cref="DeviceValidationException">The element is not an object, or breaks one of the storage rules.</exception>
    public static DeviceMetadata FromElement(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new DeviceValidationException("metadata", $"must be a JSON object, not {Describe(element.ValueKind)}");
        }

        var errors = new List<DeviceValidationError>();
        CheckStorable(element, "metadata", depth: 1, errors);
        if (errors.Count > 0)
        {
            throw new DeviceValidationException(errors);
        }

        var root = element.Clone();
        var entries = new List<KeyValuePair<string, JsonElement>>();
        foreach (var property in root.EnumerateObject())
        {
            entries.Add(new(property.Name, property.Value));
        }

        return new DeviceMetadata([.. entries]);
    }

    /// <summary>Serializes an object (such as <see cref="BessMetadata"/>) into metadata.</summary>
    /// <typeparam name="T">The type to serialize; it must serialize to a JSON object.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="options">Serializer options; <see langword="null"/> for the defaults, which honour <c>[JsonPropertyName]</c>.</param>
    /// <returns>The metadata.</returns>
    [RequiresUnreferencedCode("Uses reflection-based JSON serialization.")]
    [RequiresDynamicCode("Uses reflection-based JSON serialization.")]
    public static DeviceMetadata FromObject<T>(T value, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return FromElement(JsonSerializer.SerializeToElement(value, options ?? JsonSerializerOptions.Default));
    }

    /// <summary>Deserializes the whole object into a typed view, ignoring keys the type does not declare.</summary>
    /// <typeparam name="T">The type to read, such as <see cref="BessMetadata"/>.</typeparam>
    /// <param name="options">Serializer options; <see langword="null"/> for the defaults.</param>
    /// <returns>The typed view.</returns>
    [RequiresUnreferencedCode("Uses reflection-based JSON serialization.")]
    [RequiresDynamicCode("Uses reflection-based JSON serialization.")]
    public T? Deserialize<T>(JsonSerializerOptions? options = null) =>
        JsonSerializer.Deserialize<T>(ToJsonString(), options ?? JsonSerializerOptions.Default);

    /// <inheritdoc />
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc />
    public bool TryGetValue(string key, out JsonElement value)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            value = default;
            return false;
        }

        value = Entries[index].Value;
        return true;
    }

    /// <summary>Looks a value up by a path of keys, for nested objects (<c>maintenance</c>, <c>reason</c>).</summary>
    /// <param name="path">The keys from the root down.</param>
    /// <param name="value">The value found.</param>
    /// <returns><see langword="true"/> when every key on the path exists.</returns>
    public bool TryGetPath(IReadOnlyList<string> path, out JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(path);
        value = default;
        if (path.Count == 0 || !TryGetValue(path[0], out var current))
        {
            return false;
        }

        for (var i = 1; i < path.Count; i++)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(path[i], out current))
            {
                return false;
            }
        }

        value = current;
        return true;
    }

    /// <summary>Gets a top-level string value.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The string, or <see langword="null"/> when the key is missing or not a string.</returns>
    public string? GetString(string key) =>
        TryGetValue(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Returns a copy with a key set to a value, replacing the old value in place or appending the key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; it is copied.</param>
    /// <returns>The new metadata.</returns>
    /// <exception cref="DeviceValidationException">The value breaks one of the storage rules.</exception>
    public DeviceMetadata With(string key, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(key);
        var errors = new List<DeviceValidationError>();
        CheckKey(key, "metadata", errors);
        CheckStorable(value, $"metadata.{key}", depth: 2, errors);
        if (errors.Count > 0)
        {
            throw new DeviceValidationException(errors);
        }

        return Set(IndexOf(key), key, value.Clone());
    }

    /// <summary>
    /// Returns a copy with a key set to a value that already passed <see cref="With(string, JsonElement)"/>'s checks
    /// and is an element of a cloned (standalone) document, so that setting one block on thousands of devices
    /// neither checks nor copies it again.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, already checked and standalone.</param>
    /// <param name="entryByteCount">The value's <see cref="EntryByteCount"/> under <paramref name="key"/>, so that the new size is known without counting the whole object again.</param>
    internal DeviceMetadata WithChecked(string key, JsonElement value, int entryByteCount)
    {
        var index = IndexOf(key);
        var size = index >= 0
            ? GetUtf8ByteCount() - EntryByteCount(key, Entries[index].Value) + entryByteCount
            : GetUtf8ByteCount() + entryByteCount + (Entries.Length > 0 ? 1 : 0);
        var result = Set(index, key, value);
        result._utf8ByteCount = size;
        return result;
    }

    /// <summary>Returns a copy with the entry at <paramref name="index"/> replaced, or appended when the index is negative.</summary>
    private DeviceMetadata Set(int index, string key, JsonElement value)
    {
        var entry = new KeyValuePair<string, JsonElement>(key, value);
        if (index < 0)
        {
            return new DeviceMetadata([.. Entries, entry]);
        }

        var copy = (KeyValuePair<string, JsonElement>[])Entries.Clone();
        copy[index] = entry;
        return new DeviceMetadata(copy);
    }

    /// <summary>Returns a copy with a key set to a string.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The string.</param>
    /// <returns>The new metadata.</returns>
    public DeviceMetadata With(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (FieldRules.HasUnpairedSurrogate(value))
        {
            throw new DeviceValidationException($"metadata.{key}", FieldRules.UnpairedSurrogate);
        }

        return With(key, JsonSerializer.SerializeToElement(value, JsonContext.Default.String));
    }

    /// <summary>Returns a copy with a key set to a number.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The number; it must be finite.</param>
    /// <returns>The new metadata.</returns>
    public DeviceMetadata With(string key, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new DeviceValidationException($"metadata.{key}", "must be a finite number");
        }

        return With(key, JsonSerializer.SerializeToElement(value, JsonContext.Default.Double));
    }

    /// <summary>Returns a copy with a key set to an integer.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The integer.</param>
    /// <returns>The new metadata.</returns>
    public DeviceMetadata With(string key, long value) =>
        With(key, JsonSerializer.SerializeToElement(value, JsonContext.Default.Int64));

    /// <summary>Returns a copy with a key set to a boolean.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The boolean.</param>
    /// <returns>The new metadata.</returns>
    public DeviceMetadata With(string key, bool value) =>
        With(key, JsonSerializer.SerializeToElement(value, JsonContext.Default.Boolean));

    /// <summary>Returns a copy with a key set to a nested object.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The nested object.</param>
    /// <returns>The new metadata.</returns>
    public DeviceMetadata With(string key, DeviceMetadata value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return With(key, value.ToJsonElement());
    }

    /// <summary>Returns a copy without a key; the same instance when the key is not present.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The new metadata.</returns>
    public DeviceMetadata Without(string key)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            return this;
        }

        var copy = new KeyValuePair<string, JsonElement>[Entries.Length - 1];
        Array.Copy(Entries, 0, copy, 0, index);
        Array.Copy(Entries, index + 1, copy, index, Entries.Length - index - 1);
        return new DeviceMetadata(copy);
    }

    /// <summary>
    /// Returns a copy in which every top-level key of <paramref name="other"/> replaces or adds to this one's
    /// (a shallow merge, like PostgreSQL's <c>jsonb || jsonb</c>).
    /// </summary>
    /// <param name="other">The keys to set.</param>
    /// <returns>The new metadata.</returns>
    public DeviceMetadata Merge(DeviceMetadata other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return this;
        }

        if (Count == 0)
        {
            return other;
        }

        var merged = new List<KeyValuePair<string, JsonElement>>(Entries);
        foreach (var entry in other.Entries)
        {
            var index = IndexOf(entry.Key);
            if (index >= 0)
            {
                merged[index] = entry;
            }
            else
            {
                merged.Add(entry);
            }
        }

        return new DeviceMetadata([.. merged]);
    }

    /// <summary>Lists the top-level keys whose values differ between this and <paramref name="other"/>, including keys only one side has.</summary>
    /// <param name="other">The metadata to compare with.</param>
    /// <returns>The differing keys, this side's order first.</returns>
    public IReadOnlyList<string> DifferingKeys(DeviceMetadata other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var keys = new List<string>();
        foreach (var (key, value) in Entries)
        {
            if (!other.TryGetValue(key, out var otherValue) || !JsonElement.DeepEquals(value, otherValue))
            {
                keys.Add(key);
            }
        }

        foreach (var (key, _) in other.Entries)
        {
            if (!ContainsKey(key))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    /// <summary>Writes the object to a JSON writer.</summary>
    /// <param name="writer">The writer.</param>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        foreach (var (key, value) in Entries)
        {
            writer.WritePropertyName(key);
            value.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    /// <summary>Returns the object as compact JSON text.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJsonString()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Returns the size of the compact UTF-8 JSON text, in bytes.</summary>
    /// <returns>The size in bytes.</returns>
    public int GetUtf8ByteCount()
    {
        // The object is immutable, so the count is kept (a race only counts twice).
        var count = _utf8ByteCount;
        if (count < 0)
        {
            _utf8ByteCount = count = CountBytes(this, null, default);
        }

        return count;
    }

    /// <summary>Gets how many bytes one entry adds inside the braces of an object's compact JSON, without its comma.</summary>
    internal static int EntryByteCount(string key, JsonElement value) => CountBytes(null, key, value) - 2;

    // Every write is size-checked: count the bytes through a reused writer instead of materialising them.
    private static int CountBytes(DeviceMetadata? metadata, string? key, JsonElement value)
    {
        var counter = t_byteCounter ??= new ByteCounter();
        counter.Reset();
        var writer = t_countingWriter ??= new Utf8JsonWriter(counter, WriterOptions);
        writer.Reset(counter);
        if (metadata is not null)
        {
            metadata.WriteTo(writer);
        }
        else
        {
            writer.WriteStartObject();
            writer.WritePropertyName(key!);
            value.WriteTo(writer);
            writer.WriteEndObject();
        }

        writer.Flush();
        return counter.Count;
    }

    /// <summary>Returns the object as a standalone JSON element.</summary>
    /// <returns>The element.</returns>
    public JsonElement ToJsonElement()
    {
        using var document = JsonDocument.Parse(ToJsonString());
        return document.RootElement.Clone();
    }

    /// <summary>Returns the object as compact JSON text.</summary>
    /// <returns>The JSON text.</returns>
    public override string ToString() => ToJsonString();

    /// <inheritdoc />
    public bool Equals(DeviceMetadata? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other.Count != Count)
        {
            return false;
        }

        foreach (var (key, value) in Entries)
        {
            if (!other.TryGetValue(key, out var otherValue) || !JsonElement.DeepEquals(value, otherValue))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DeviceMetadata other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        // Order-insensitive, like Equals: combine the key hashes commutatively.
        var hash = Count;
        foreach (var (key, _) in Entries)
        {
            hash ^= StringComparer.Ordinal.GetHashCode(key);
        }

        return hash;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, JsonElement>>)Entries).GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        var entries = Entries;
        for (var i = 0; i < entries.Length; i++)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static void CheckKey(string key, string parent, List<DeviceValidationError> errors)
    {
        if (key.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(new DeviceValidationError { Field = parent, Message = "has a key that contains the character U+0000, which PostgreSQL jsonb refuses" });
        }
        else if (FieldRules.HasUnpairedSurrogate(key))
        {
            errors.Add(new DeviceValidationError { Field = parent, Message = "has a key that " + FieldRules.UnpairedSurrogate });
        }
    }

    private static void CheckStorable(JsonElement element, string field, int depth, List<DeviceValidationError> errors)
    {
        // Leaves build their field path only when they fail: registration checks every value of every device.
        if (depth > MaxDepth)
        {
            errors.Add(new DeviceValidationError { Field = field, Message = $"is nested deeper than {MaxDepth} levels" });
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                // A JsonElement that did not come from a duplicate-checking parse can still repeat a key.
                // (A key that cannot be read is reported by the loop below.)
                if (Try(FindDuplicateKey, element) is { } duplicate)
                {
                    errors.Add(new DeviceValidationError { Field = $"{field}.{duplicate}", Message = "appears more than once" });
                }

                foreach (var property in element.EnumerateObject())
                {
                    if (ReadText(property) is not { } name)
                    {
                        errors.Add(new DeviceValidationError { Field = field, Message = "has a key that " + FieldRules.UnpairedSurrogate });
                        continue;
                    }

                    CheckKey(name, field, errors);
                    var child = property.Value;
                    if (child.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        CheckStorable(child, $"{field}.{name}", depth + 1, errors);
                    }
                    else if (CheckLeaf(child) is { } reason)
                    {
                        errors.Add(new DeviceValidationError { Field = $"{field}.{name}", Message = reason });
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        CheckStorable(item, $"{field}[{index}]", depth + 1, errors);
                    }
                    else if (CheckLeaf(item) is { } reason)
                    {
                        errors.Add(new DeviceValidationError { Field = $"{field}[{index}]", Message = reason });
                    }

                    index++;
                }

                break;
            default:
                if (CheckLeaf(element) is { } leafReason)
                {
                    errors.Add(new DeviceValidationError { Field = field, Message = leafReason });
                }

                break;
        }
    }

    /// <summary>Reads a string, or <see langword="null"/> when its escapes spell an unpaired surrogate (which <c>GetString</c> refuses).</summary>
    private static string? ReadText(JsonElement element) => Try(static e => e.GetString(), element);

    private static string? ReadText(JsonProperty property) => Try(static p => p.Name, property);

    private static string? Try<T>(Func<T, string?> read, T value)
    {
        try
        {
            return read(value);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string? FindDuplicateKey(JsonElement obj)
    {
        var count = obj.GetPropertyCount();
        if (count < 2)
        {
            return null;
        }

        if (count <= 16)
        {
            var index = 0;
            foreach (var property in obj.EnumerateObject())
            {
                var inner = 0;
                foreach (var earlier in obj.EnumerateObject())
                {
                    if (inner++ == index)
                    {
                        break;
                    }

                    if (earlier.NameEquals(property.Name))
                    {
                        return property.Name;
                    }
                }

                index++;
            }

            return null;
        }

        var seen = new HashSet<string>(count, StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                return property.Name;
            }
        }

        return null;
    }

    private static string? CheckLeaf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String when ReadText(element) is not { } text || FieldRules.HasUnpairedSurrogate(text) =>
            FieldRules.UnpairedSurrogate,
        JsonValueKind.String when element.GetString()!.Contains('\0', StringComparison.Ordinal) =>
            "contains the character U+0000, which PostgreSQL jsonb refuses",
        JsonValueKind.Number when !element.TryGetDouble(out var number) || !double.IsFinite(number) =>
            $"is the number {element.GetRawText()}, which is outside the range of a double",
        JsonValueKind.Undefined => "has no value",
        _ => null,
    };

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>A buffer writer that only counts: every span it hands out is the same scratch space.</summary>
    private sealed class ByteCounter : System.Buffers.IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[256];

        public int Count { get; private set; }

        public void Reset() => Count = 0;

        public void Advance(int count) => Count += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint).Span;

        private Memory<byte> Scratch(int sizeHint)
        {
            if (sizeHint > _scratch.Length)
            {
                _scratch = new byte[Math.Max(sizeHint, _scratch.Length * 2)];
            }

            return _scratch;
        }
    }
}
